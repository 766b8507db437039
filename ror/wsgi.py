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
# And a young generation of 10,000 objects (Python's default: 700): a 200-resource FHIR page builds
# tens of thousands of dicts that live until the page is written; with the default, 15 to 20 young
# collections walked them per page and a full one every 5 to 8 pages (40-60 ms: the bench's p95).
# Garbage cycles still go at the next young collection; only the cadence changes.
gc.set_threshold(10_000, 10, 10)
