"""The Répertoire's part of the home page's "À traiter": the anomalies reported on the user's structures."""

from django.urls import reverse

from . import access
from .extensions import ATraiter


def anomalies(user) -> ATraiter | None:
    nombre = access.anomalies_autorisees(user, access.MODIFIER).filter(traitee_le__isnull=True).count()
    return ATraiter("Anomalies signalées sur vos structures", nombre, reverse("repertoire:anomalies"))
