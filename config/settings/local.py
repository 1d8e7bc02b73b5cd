"""Settings for a developer's or a demo machine (``make run``)."""
from .base import *  # noqa: F401,F403
from .base import env

# Off by default, so ``make run`` shows what users see (plain Chinese error pages, no URL list on a
# 404); ``runserver --insecure`` still serves the static files. DJANGO_DEBUG=1 for development.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# A fixed key is acceptable only here: local data is demo data. Production has no default.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
# Demo machines only: a fixed checkpoint key. Production must set AUDIT_CHECKPOINT_KEY.
AUDIT_CHECKPOINT_KEY = env("AUDIT_CHECKPOINT_KEY", default="local-demo-checkpoint-key")
