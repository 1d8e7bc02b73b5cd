"""The Celery application; used only when ``CELERY_BROKER_URL`` is set (otherwise jobs run in-process).

Start a worker with ``celery -A config worker``.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("plan_supervision")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
