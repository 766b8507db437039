"""Demo: one verification campaign running in Maine-et-Loire, launched three weeks ago (the
référents' reminder is due), partly answered: CH CHOLET entirely, one unit of the demo référent's
EHPAD (the rest is left for them to click), one établissement in twelve by the gestionnaire.
Idempotent: nothing once a campaign exists."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from qualite.campagnes import CampagneInvalide, confirmer_fiche, fiches_de, lancer_campagne
from qualite.models import Campagne

NOM = "Vérification annuelle 2026 – Maine-et-Loire"


def peupler_demo(stdout) -> None:
    comptes = {u.username: u for u in get_user_model().objects.filter(
        username__in=["gestionnaire", "referent", "referent.hopital"], is_active=True)}
    if Campagne.objects.exists() or "gestionnaire" not in comptes:
        return
    campagne = lancer_campagne(comptes["gestionnaire"], NOM, "departement", "49", jours_relance=15,
                               jours_escalade=30)
    Campagne.objects.filter(pk=campagne.pk).update(lancee_le=timezone.now() - timedelta(days=21))
    campagne.refresh_from_db()
    confirmees = 0
    if "referent.hopital" in comptes:
        for fiche in fiches_de(comptes["referent.hopital"], campagne).order_by("pk"):
            confirmer_fiche(comptes["referent.hopital"], fiche)
            confirmees += 1
    a_cliquer = set()  # the demo référent's établissements: left for them
    if "referent" in comptes:
        siennes = fiches_de(comptes["referent"], campagne)
        a_cliquer = set(siennes.values_list("eg_id", flat=True))
        fiche = siennes.filter(structure__niveau="UO").order_by("pk").first()
        if fiche:
            confirmer_fiche(comptes["referent"], fiche)
            confirmees += 1
    egs = sorted(set(campagne.fiches.filter(traitee_le__isnull=True).values_list("eg_id", flat=True)) - a_cliquer)
    for fiche in campagne.fiches.filter(eg_id__in=egs[::12], traitee_le__isnull=True).select_related("structure"):
        try:
            confirmer_fiche(comptes["gestionnaire"], fiche)
        except CampagneInvalide:  # a fiche to correct first: left waiting, as a référent would find it
            continue
        confirmees += 1
    stdout.write(f"Campagne de vérification « {NOM} » : {confirmees} fiches confirmées sur "
                 f"{campagne.fiches.count()}.")
