"""Who may search: every logged-in user (consultant and above, login_required); reading a
fiche from the results follows repertoire's LIRE right. Deny by default."""

from repertoire import access
from repertoire.models import EntiteGeographique, UniteOperationnelle


def get_uo_or_403(user, pk, action: str = access.LIRE) -> UniteOperationnelle:
    queryset = UniteOperationnelle.objects.select_related("type_uo", "champ", "eg", "ej", "parent", "commune")
    return access.get_structure_or_403(user, pk, action, queryset=queryset)


def get_eg_or_403(user, pk, action: str = access.LIRE) -> EntiteGeographique:
    return access.get_structure_or_403(user, pk, action, queryset=EntiteGeographique.objects.select_related("commune"))
