"""Who may do what in interop: the open data and the FHIR metadata are public; FHIR
data needs a consumer token (repertoire.services.jetons_api, scope `fhir`); tokens and the ViaTrajectoire sync are the
gestionnaires'; an EG's sync state is readable by every logged-in user."""

from django.shortcuts import get_object_or_404

from repertoire.access import LIRE, exiger, exiger_gestionnaire
from repertoire.models import Niveau, Structure


def exiger_administration(user) -> None:
    exiger_gestionnaire(user)


def get_eg_or_403(user, pk) -> Structure:
    eg = get_object_or_404(Structure, pk=pk, niveau=Niveau.EG)
    return exiger(user, LIRE, eg)
