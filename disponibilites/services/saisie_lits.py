"""The Saisie screen: a user enters the beds of several units at once, all or nothing."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from repertoire import access as repertoire_access
from repertoire.models import Structure

from ..access import unites_autorisees
from ..models import STATUT_DISPONIBLE, STATUT_SUPPLEMENTAIRE
from .enregistrement import Bilan, Figure, SaisieInvalide, controler_plafonds, enregistrer_figures


@dataclass
class LigneSaisie:
    """What a user typed for one unit on the Saisie screen (None: left blank)."""

    uo: Structure
    disponibles: int | None = None
    supplementaires: int | None = None
    fermes: int | None = None


def saisir_lits(user, lignes: list[LigneSaisie]) -> Bilan:
    """Saisie screen: record the figures of several units at once, all or nothing."""
    permises = set(unites_autorisees(user, repertoire_access.SAISIR_LITS)
                   .filter(pk__in=[ligne.uo.pk for ligne in lignes]).values_list("pk", flat=True))
    if any(ligne.uo.pk not in permises for ligne in lignes):
        raise PermissionDenied("Saisie refusée : unité non suivie en lits, ou hors de vos droits.")
    maintenant = timezone.now()
    figures = []
    for ligne in lignes:
        for statut, valeur in ((STATUT_DISPONIBLE, ligne.disponibles), (STATUT_SUPPLEMENTAIRE,
                                                                         ligne.supplementaires),
                               ("05", ligne.fermes)):
            if valeur is not None:
                figures.append(Figure(ligne.uo, statut, valeur, maintenant))
    erreurs = controler_plafonds(figures)
    if erreurs:
        raise SaisieInvalide(erreurs)
    return enregistrer_figures(figures, user=user)
