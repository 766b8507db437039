"""Units whose beds the user reports and that are late (home page, "À traiter")."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from repertoire.access import SAISIR_LITS, est_gestionnaire
from repertoire.extensions import ATraiter

from .access import unites_autorisees


def lits_en_retard(user) -> ATraiter | None:
    if est_gestionnaire(user):  # the whole region: the board and the crises say it better
        return None
    limite = timezone.now() - timedelta(hours=settings.DISPONIBILITES_SEUIL_ANCIEN_HEURES)
    retard = unites_autorisees(user, SAISIR_LITS).filter(
        Q(situation_lits__isnull=True) | Q(situation_lits__disponibles_le__isnull=True)
        | Q(situation_lits__disponibles_le__lt=limite))
    nombre = retard.count()
    return ATraiter(f"Unités dont les lits n'ont pas été mis à jour depuis "
                    f"{settings.DISPONIBILITES_SEUIL_ANCIEN_HEURES:n} h", nombre, reverse("disponibilites:saisie"))
