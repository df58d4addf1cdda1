"""WSGI entry point for gunicorn (`make serve`)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cma.settings")

application = get_wsgi_application()

# Import every app's URLs and views, and build the reverse lookup, while the
# worker boots rather than in its first visitor's request (half a second).
get_resolver().reverse_dict  # noqa: B018 — the lookup builds it
