from django import template
from django.urls import reverse
from django.utils.html import format_html

from repertoire import schema

register = template.Library()


@register.filter
def non_renseigne(libelle: str) -> str:
    """"Non renseigné(e)(s)" agreeing with the field's label."""
    return schema.non_renseigne(libelle)


@register.filter
def etapes_fil(ancetres) -> list[tuple[str, str]]:
    """The ancestors of a structure as breadcrumb steps: level abbreviated, a link to their fiche."""
    return [(format_html('<abbr title="{}">{}</abbr> {}', a.get_niveau_display(), a.code_niveau, a.nom),
             reverse("repertoire:fiche", args=[a.pk])) for a in ancetres]
