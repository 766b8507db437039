"""Pages of interop: API tokens, ViaTrajectoire sync dashboard, open data."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from repertoire.access import ADMINISTRER, exiger
from repertoire.models import JetonApi, PorteeJeton, Structure
from repertoire.services import jetons_api
from socle.exports import reponse_csv

from . import opendata, viatrajectoire
from .access import get_eg_or_403
from .models import ChangementSync, EtatChangement, EtatSync, EtatSyncEG


# -- API tokens ----------------------------------------------------------------------------

@login_required
def jetons(request):
    exiger(request.user, ADMINISTRER)
    nouveau = None
    if request.method == "POST":
        try:
            jeton, nouveau = jetons_api.creer_jeton(request.user, PorteeJeton.FHIR,
                                                    request.POST.get("consommateur", ""))
            messages.success(request, f"Jeton créé pour « {jeton.libelle} ». Copiez-le maintenant : "
                                      "il ne sera plus affiché.")
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "interop/jetons.html", {"jetons": JetonApi.objects.filter(portee=PorteeJeton.FHIR),
                                                  "nouveau": nouveau})


@login_required
@require_POST
def revoquer_jeton(request, pk):
    exiger(request.user, ADMINISTRER)
    jeton = get_object_or_404(JetonApi, pk=pk, portee=PorteeJeton.FHIR)
    jetons_api.revoquer_jeton(request.user, jeton)
    messages.success(request, f"Le jeton de « {jeton.libelle} » est révoqué.")
    return redirect("interop:jetons")


# -- ViaTrajectoire ------------------------------------------------------------------------

class _SansResultat:
    """The view never waits for the task: no result backend is touched."""

    def __init__(self, task_id):
        self.id = task_id


def _lancer_synchronisation() -> bool:
    from celery import current_app as app  # the project's app, without importing the project package

    try:
        # Own connection, no result: nothing cached on the app (its producer pool and result
        # backend keep the broker they were first built with).
        with app.connection_for_write() as connexion:
            app.send_task("interop.tasks.synchroniser_viatrajectoire", ignore_result=True,
                          result_cls=_SansResultat, connection=connexion)
        return True
    except Exception:  # broker unreachable: the periodic run will do it
        return False


@login_required
@require_safe
def synchronisation(request):
    exiger(request.user, ADMINISTRER)
    try:
        destination, erreur_configuration = viatrajectoire.url_destination(), ""
    except viatrajectoire.ConfigurationInvalide as erreur:
        destination, erreur_configuration = "", str(erreur)
    filtre = request.GET.get("etat", EtatSync.EN_ERREUR)
    if filtre not in EtatSync.values:
        filtre = EtatSync.EN_ERREUR
    egs = (EtatSyncEG.objects.filter(etat=filtre).select_related("eg", "eg__commune")
           .order_by("-date_erreur", "eg__nom")[:100])
    return render(request, "interop/synchronisation.html", {
        "tableau": viatrajectoire.tableau_de_bord(), "destination": destination,
        "erreur_configuration": erreur_configuration, "etats": EtatSync.choices, "filtre": filtre, "egs": egs,
    })


@login_required
@require_POST
def lancer_synchronisation(request):
    exiger(request.user, ADMINISTRER)
    if _lancer_synchronisation():
        messages.success(request, "Synchronisation lancée : les changements en attente partent vers ViaTrajectoire.")
    else:
        messages.warning(request, "Le service de tâches est injoignable : la synchronisation partira au prochain "
                                  "passage planifié.")
    return redirect("interop:synchronisation")


@login_required
@require_POST
def resynchroniser_eg(request, pk):
    exiger(request.user, ADMINISTRER)
    eg = get_object_or_404(Structure.objects.eg(), pk=pk)
    n = viatrajectoire.resynchroniser_eg(request.user, eg)
    _lancer_synchronisation()
    messages.success(request, f"« {eg.nom} » : {n} fiche(s) renvoyée(s) à ViaTrajectoire.")
    return redirect(request.POST.get("retour") if request.POST.get("retour", "").startswith("/interop/")
                    else "interop:synchronisation")


@login_required
@require_safe
def etat_eg(request, pk):
    eg = get_eg_or_403(request.user, pk)
    changements = (ChangementSync.objects.filter(eg_id=eg.pk)
                   .filter(Q(etat__in=[EtatChangement.EN_ATTENTE, EtatChangement.REJETE]) | Q(envoye_le__isnull=False))
                   .order_by("-date_changement")[:20])
    noms = dict(Structure.objects.filter(pk__in={c.structure_id for c in changements}).values_list("pk", "nom"))
    return render(request, "interop/etat_eg.html", {
        "eg": eg, "etat": viatrajectoire.etat_de(eg), "changements": changements, "noms": noms,
        "dans_perimetre": viatrajectoire.eg_du_perimetre().filter(pk=eg.pk).exists(),
    })


# -- open data -------------------------------------------------------------------------------

@require_safe
def opendata_index(request):
    return render(request, "interop/opendata.html", {"colonnes": opendata.COLONNES, "licence": opendata.LICENCE})


@require_safe
def opendata_csv(request):
    return reponse_csv("offre-ror.csv", opendata.NOMS_COLONNES,
                       ([ligne[n] for n in opendata.NOMS_COLONNES] for ligne in opendata.lignes()))


@require_safe
def opendata_json(request):
    donnees = {
        "titre": "Offre de santé et médico-sociale publiée dans le ROR",
        "licence": opendata.LICENCE,
        "genere_le": timezone.now().isoformat(timespec="seconds"),
        "colonnes": [{"nom": c.nom, "description": c.description} for c in opendata.COLONNES],
        "donnees": list(opendata.lignes()),
    }
    reponse = HttpResponse(json.dumps(donnees, ensure_ascii=False), content_type="application/json; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="offre-ror.json"'
    return reponse
