import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# A worker killed mid-upload left its half-written upload behind: remove what dead workers left.
from workflows.uploads import clean_upload_temp  # noqa: E402  (needs the settings loaded above)

clean_upload_temp()
