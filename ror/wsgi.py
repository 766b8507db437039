import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ror.settings")
application = get_wsgi_application()

# What a worker loads at start (Django, the apps, the URLconf and its views) lives as long as the
# worker: frozen out of the garbage collector's reach, a full collection no longer walks its
# ~130,000 objects — that was 50 to 180 ms every few FHIR pages (a page allocates enough to trigger one).
get_resolver().url_patterns
gc.freeze()
