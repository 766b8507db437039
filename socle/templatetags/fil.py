from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("socle/_fil.html")
def fil(*etapes, ici=""):
    """The breadcrumb ("vous êtes ici"): the steps above the page, then the page itself (`ici`).
    Steps come as label, URL, label, URL…, a URL without "/" being a route name without arguments;
    a list of (label, URL) pairs stands for several steps (the ancestors of a structure; a step
    without URL is shown unlinked)."""
    liens, reste = [], list(etapes)
    while reste:
        etape = reste.pop(0)
        if isinstance(etape, (list, tuple)):
            liens += [(libelle, url) for libelle, url in etape]
        else:
            url = reste.pop(0)
            liens.append((etape, url if "/" in url else reverse(url)))
    return {"liens": liens, "ici": ici}
