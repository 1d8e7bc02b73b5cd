# The two commands in README.md do all set-up on a fresh Debian machine with Python 3.11:
#   make run   — venv, dependencies, migrations, unit directory + reference plan, demo accounts and
#                dispatch, admin, server on 127.0.0.1:8000
#   make test  — venv, test dependencies, the whole suite on SQLite, then on PostgreSQL when one is reachable
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
MANAGE := $(PY) manage.py
REFERENCE_PLAN := workflows/data/reference_plan_kunzhengbanfa_2017_169.txt
PG_URL ?= postgres://postgres@127.0.0.1:5432/plan_supervision

# Debian packages: CJK fonts and HarfBuzz's subsetter for the PDF archive (WeasyPrint); pdftotext
# and chromium for the tests that read archives back and drive a real browser; nginx for the test
# that runs the production proxy recipe (deploy/nginx.conf) in front of gunicorn.
RUN_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := $(RUN_PACKAGES) poppler-utils chromium nginx-light

.PHONY: run test test-imports test-sqlite test-postgres lint bench messages clean system-packages-run system-packages-test

# Install the Debian packages that are missing (as root, or through sudo); say which when neither works.
define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | xargs); \
	if [ -n "$$missing" ]; then \
		echo "安装系统软件包：$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		elif command -v sudo >/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "缺少系统软件包：$$missing（请以 root 身份运行 apt-get install $$missing）"; exit 1; fi; \
	fi
endef

system-packages-run:
	$(call apt_install,$(RUN_PACKAGES))

system-packages-test:
	$(call apt_install,$(TEST_PACKAGES))

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV) || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.installed-runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

run: system-packages-run $(VENV)/.installed-runtime
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) archive_demo_cert --skip-existing
	$(MANAGE) import_plan $(REFERENCE_PLAN) --supervisor 市政府法制办 --skip-existing
	$(MANAGE) load_demo
	$(MANAGE) setup_admin
	@echo "服务地址：http://127.0.0.1:8000/  （Ctrl+C 停止）"
	$(MANAGE) runserver --insecure 127.0.0.1:8000

test: test-imports test-sqlite test-postgres

# The one direction (approvals -> workflows -> audit) and the contracts in pyproject.toml; then what
# import-linter does not see: circles between modules, cross-app imports hidden inside functions.
test-imports: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/check_imports.py

test-sqlite: system-packages-test $(VENV)/.installed-dev
	mkdir -p var
	$(VENV)/bin/pytest

# PostgreSQL: run the whole suite again against a real server. Without one, say so and skip,
# unless REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
test-postgres: system-packages-test $(VENV)/.installed-dev
	@if $(PY) scripts/pg_ready.py "$(PG_URL)"; then \
		DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -p no:cacheprovider; \
	elif [ "$$REQUIRE_POSTGRES" = 1 ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "SKIPPED: the PostgreSQL run — no server reachable at $(PG_URL) (set PG_URL to use another)"; \
	fi

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# Every bench prints its figures; the whole output is also kept in var/bench/make-bench.txt, and the
# province bench writes var/bench/province-figures.json and its section of docs/benchmarks.md.
# The province bench runs at 100 and 10,000 assignments here; 124,000 is a manual command (README).
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/plan_supervision_bench
bench: $(VENV)/.installed-dev
	mkdir -p var/bench
	set -o pipefail; { \
	$(PY) bench/parse_reference.py && \
	$(PY) bench/corpus_bench.py && \
	$(PY) bench/audit_bench.py && \
	$(PY) bench/archive_bench.py && \
	$(PY) bench/assignments_bench.py && \
	$(PY) bench/dashboard_bench.py && \
	$(PY) bench/province_bench.py --sizes 100 10000 && \
	if $(PY) scripts/pg_ready.py "$(PG_BENCH_URL)"; then \
		$(PY) bench/province_bench.py --sizes 100 10000 --database-url "$(PG_BENCH_URL)"; \
	else echo "SKIPPED: the province bench on PostgreSQL — no server reachable at $(PG_BENCH_URL)"; fi; \
	} 2>&1 | tee var/bench/make-bench.txt

messages: $(VENV)/.installed-dev
	$(MANAGE) makemessages -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(PY) scripts/fill_po.py locale/en/LC_MESSAGES/django.po locale/en/translations.json
	$(MANAGE) compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
