"""A user's favourite fiches (not offer data: no history)."""

from ..models import Favori, Structure


def ajouter_favori(user, structure: Structure) -> None:
    Favori.objects.get_or_create(user=user, structure=structure)


def retirer_favori(user, structure: Structure) -> None:
    Favori.objects.filter(user=user, structure=structure).delete()
