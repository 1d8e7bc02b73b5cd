"""Jobs in threads of the web process: never more than BACKGROUND_CONCURRENCY at once, all of them run."""
import threading
import time

from workflows import background


def test_no_more_jobs_run_at_once_than_the_setting_allows_and_every_one_runs(settings, monkeypatch):
    settings.BACKGROUND_CONCURRENCY = 2
    monkeypatch.setattr(background, "_slots", None)  # read the setting afresh
    running, peak, done = [0], [0], []
    lock = threading.Lock()

    def job(n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
            done.append(n)

    threads = [background.start(f"job-{n}", job, n) for n in range(8)]
    for thread in threads:
        thread.join(10)
    assert sorted(done) == list(range(8)) and peak[0] == 2


def test_a_failing_job_is_logged_and_frees_its_slot(settings, monkeypatch, caplog):
    settings.BACKGROUND_CONCURRENCY = 1
    monkeypatch.setattr(background, "_slots", None)

    def broken():
        raise RuntimeError("render failed")

    background.start("broken", broken).join(10)
    after = []
    background.start("after", after.append, "ran").join(10)
    assert after == ["ran"] and "background job broken failed" in caplog.text
