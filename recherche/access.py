"""Who may search: every logged-in user (consultant and above); reading a fiche from
the results follows repertoire's LIRE right. Deny by default (anonymous → login)."""

from django.contrib.auth.decorators import login_required

from repertoire import access
from repertoire.models import EntiteGeographique, UniteOperationnelle

lecteur_requis = login_required


def uo_lisible(user, pk) -> UniteOperationnelle:
    queryset = UniteOperationnelle.objects.select_related("type_uo", "champ", "eg", "ej", "parent", "commune")
    return access.get_structure_or_403(user, pk, access.LIRE, queryset=queryset)


def eg_lisible(user, pk) -> EntiteGeographique:
    return access.get_structure_or_403(user, pk, access.LIRE,
                                       queryset=EntiteGeographique.objects.select_related("commune"))
