"""Pages of interop: API tokens, ViaTrajectoire sync dashboard, open data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import http_date
from django.views.static import was_modified_since
from django.views.decorators.http import require_POST, require_safe

from repertoire.access import ADMINISTRER, exiger
from repertoire.forms import ChampsJetonForm
from repertoire.models import JetonApi, PorteeJeton, ProfilAcces, Structure, expiration_jeton_par_defaut
from repertoire.services import jetons_api

from . import opendata, viatrajectoire
from .access import get_eg_or_403
from .models import ChangementSync, EtatChangement, EtatSync, EtatSyncEG


# -- API tokens ----------------------------------------------------------------------------

def _valeurs_jeton(request, profil=True) -> dict:
    """The token's expiry and profile as posted, checked (French messages) — {} values left out."""
    form = ChampsJetonForm(request.POST, profil=profil)
    if not form.is_valid():
        raise ValidationError([e for erreurs in form.errors.values() for e in erreurs])
    return {k: v for k, v in form.cleaned_data.items() if v is not None}


@login_required
def jetons(request):
    exiger(request.user, ADMINISTRER)
    nouveau = None
    if request.method == "POST":
        try:
            jeton, nouveau = jetons_api.creer_jeton(request.user, PorteeJeton.FHIR,
                                                    request.POST.get("consommateur", ""), **_valeurs_jeton(request))
            messages.success(request, f"Jeton créé pour « {jeton.libelle} ». Copiez-le maintenant : "
                                      "il ne sera plus affiché.")
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(request, "interop/jetons.html", {
        "jetons": JetonApi.objects.filter(portee=PorteeJeton.FHIR), "nouveau": nouveau,
        "profils": ProfilAcces.choices, "profil_defaut": JetonApi._meta.get_field("profil_acces").default,
        "expiration_defaut": timezone.localdate(expiration_jeton_par_defaut()),
    })


@login_required
@require_POST
def modifier_jeton(request, pk):
    exiger(request.user, ADMINISTRER)
    jeton = get_object_or_404(JetonApi, pk=pk, portee=PorteeJeton.FHIR)
    try:
        jetons_api.modifier_jeton(request.user, jeton, **_valeurs_jeton(request))
        messages.success(request, f"Jeton de « {jeton.libelle} » : profil {jeton.profil_acces}, expire le "
                                  f"{timezone.localtime(jeton.expire_le):%d/%m/%Y}.")
    except ValidationError as erreur:
        messages.error(request, f"Jeton de « {jeton.libelle} » inchangé : {' '.join(erreur.messages)}")
    return redirect("interop:jetons")


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
    return render(request, "interop/opendata.html", {"colonnes": opendata.COLONNES, "licence": opendata.LICENCE,
                                                     "date_production": opendata.date_production()})


def _fichier_opendata(request, format_: str):
    """The file as produced by the scheduled task, with its date (Last-Modified; 304 when the
    client has it); not produced yet: a French 503, nothing built during the request."""
    chemin = opendata.chemin(format_)
    try:
        etat = chemin.stat()
    except FileNotFoundError:
        reponse = render(request, "interop/opendata_indisponible.html", status=503)
        reponse["Retry-After"] = "3600"
        return reponse
    if not was_modified_since(request.headers.get("If-Modified-Since"), int(etat.st_mtime)):
        return HttpResponseNotModified(headers={"Last-Modified": http_date(etat.st_mtime)})
    reponse = FileResponse(open(chemin, "rb"), content_type=opendata.TYPES[format_],
                           as_attachment=format_ == "csv", filename=opendata.FICHIERS[format_])
    reponse["Last-Modified"] = http_date(etat.st_mtime)
    reponse["Cache-Control"] = "public, max-age=3600"
    return reponse


@require_safe
def opendata_csv(request):
    return _fichier_opendata(request, "csv")


@require_safe
def opendata_json(request):
    return _fichier_opendata(request, "json")
