"""Writes of the quality app: one function per action, atomic."""

from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import ans
from .models import ReleveExigence


def perimetre() -> set[str] | None:
    return set(settings.FINESS_DEPARTEMENTS) if settings.FINESS_DEPARTEMENTS else None


@transaction.atomic
def relever_exigences(jour=None) -> int:
    """Snapshot every ANS requirement by département and champ (once a week; again the same
    day replaces that day's snapshot). Returns the number of rows written."""
    jour = jour or timezone.localdate()
    ReleveExigence.objects.filter(date=jour).delete()
    lignes = []
    for indicateur in ans.tous(perimetre()):
        totaux, conformes = Counter(), Counter()
        for ligne in indicateur.lignes:
            cle = (ligne.departement or "", ligne.champ or "")
            totaux[cle] += 1
            conformes[cle] += ligne.statut == ans.CONFORME
        lignes += [ReleveExigence(date=jour, code=indicateur.code, departement=dep, champ=champ,
                                  total=totaux[(dep, champ)], conformes=conformes[(dep, champ)])
                   for dep, champ in totaux]
    ReleveExigence.objects.bulk_create(lignes)
    return len(lignes)
