"""The floor's WSGI application (served by granian exactly as `tiaokuai serve` serves the platform)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "floor_settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
