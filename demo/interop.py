"""Makes interoperability alive in the demo: a token for a demo consumer, the existing
offer taken as already held by ViaTrajectoire for 97 % of its perimeter (as the regions
report), and a few fresh changes waiting to be sent. Idempotent."""

from django.contrib.auth import get_user_model

from repertoire.models import JetonApi, PorteeJeton, Structure
from repertoire.services import jetons_api, offre

from interop import opendata, viatrajectoire
from interop.models import EtatSyncEG

CONSOMMATEUR_DEMO = "Démonstration (Santé.fr)"


def _gestionnaire():
    return get_user_model().objects.filter(groups__name="Gestionnaire ROR").order_by("pk").first()


def peupler_demo(stdout) -> None:
    gestionnaire = _gestionnaire()
    # The open data is produced each night by Celery beat: here too, so `make run` shows it at once.
    stdout.write(f"Données ouvertes : {opendata.produire()} lignes produites dans {opendata.dossier()}.")
    if not JetonApi.objects.filter(portee=PorteeJeton.FHIR, libelle=CONSOMMATEUR_DEMO).exists():
        _, clair = jetons_api.creer_jeton(gestionnaire, PorteeJeton.FHIR, CONSOMMATEUR_DEMO)
        stdout.write(f"API FHIR : jeton de démonstration « {clair} » "
                     f"(curl -H 'Authorization: Bearer {clair}' http://127.0.0.1:8000/fhir/HealthcareService)")
    if EtatSyncEG.objects.exists():
        return
    perimetre = viatrajectoire.eg_du_perimetre().order_by("pk")
    # Every 33rd EG of the perimeter has never been synchronised: about 97 % are.
    jamais = set(perimetre.values_list("pk", flat=True)[::33])
    n = viatrajectoire.reprendre_existant(gestionnaire, perimetre.exclude(pk__in=jamais))
    # A few changes made since, waiting for the next run.
    uos = viatrajectoire.uo_du_perimetre().filter(eg__in=perimetre.exclude(pk__in=jamais)).order_by("pk")[:5]
    for uo in uos:
        offre.modifier_structure(gestionnaire, Structure.objects.get(pk=uo.pk),
                                 {"conditions_admission": (uo.conditions_admission or "")
                                  + "\nAdmission sur dossier ViaTrajectoire."}, raison="Démonstration")
    ajoutes = viatrajectoire.collecter_changements()
    stdout.write(f"ViaTrajectoire : {n} établissements déjà synchronisés, {len(jamais)} jamais, "
                 f"{ajoutes} changement(s) en attente.")



