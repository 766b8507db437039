"""The maps' background, one place for every map (search, fiche, beds): `{% tuiles_carte %}`
writes the tile layer for static/ror/js/fond-carte.js as a JSON data block (no inline JS, CSP)."""

from django import template
from django.conf import settings
from django.utils.html import json_script

register = template.Library()


def tuiles() -> list[dict]:
    """[] when LEAFLET_TILES_URL is empty: offline, markers on a blank background."""
    url = getattr(settings, "LEAFLET_TILES_URL", "")
    if not url:
        return []
    plan_ign = url == getattr(settings, "TUILES_PLAN_IGN", None)  # its pyramid "PM" goes to zoom 19
    return [{"url": url, "attribution": getattr(settings, "LEAFLET_TILES_ATTRIBUTION", ""),
             "maxZoom": 19 if plan_ign else 18}]


@register.simple_tag
def tuiles_carte():
    return json_script(tuiles(), "ror-tuiles")
