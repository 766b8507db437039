from django import template

register = template.Library()


def numeros_a_montrer(numero: int, nb_pages: int) -> list[int | None]:
    """Page numbers to show: first, last and around the current one (None = ellipsis)."""
    voisines = {1, nb_pages, *range(max(1, numero - 2), min(nb_pages, numero + 2) + 1)}
    numeros, precedent = [], 0
    for n in sorted(voisines):
        if n - precedent > 1:
            numeros.append(None)
        numeros.append(n)
        precedent = n
    return numeros


@register.inclusion_tag("socle/_pagination.html", takes_context=True)
def pagination(context, numero: int, nb_pages: int, requete: str | None = None, etiquette: str = "Pagination"):
    """The pages of a list. The links keep the query (`requete`, by default the current one
    without its page number): a filtered list stays filtered from page to page."""
    if requete is None:
        parametres = context["request"].GET.copy()
        parametres.pop("page", None)
        requete = parametres.urlencode()
    return {"numero": numero, "nb_pages": nb_pages, "pages": numeros_a_montrer(numero, nb_pages),
            "prefixe": f"?{requete}&page=" if requete else "?page=", "etiquette": etiquette}
