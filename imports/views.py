"""Pages of the FINESS import: upload (gestionnaires), progress, change report, CSV."""

from celery.result import AsyncResult
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from repertoire.access import gestionnaire_requis
from socle.exports import reponse_csv

from . import services
from .access import get_import_or_403, imports_autorises
from .forms import TeleversementForm
from .models import Changement, ImportFiness


@gestionnaire_requis
@require_GET
def liste(request):
    imports = imports_autorises(request.user).select_related("par")[:50]
    return render(request, "imports/liste.html", {"imports": imports, "form": TeleversementForm(), "seuil": _seuil()})


def _seuil() -> str:
    from .importer import seuil_fermetures

    return f"{seuil_fermetures():.0%}".replace("%", " %")


@gestionnaire_requis
@require_POST
def lancer(request):
    """The gestionnaire uploads an extract: the import runs in a Celery task."""
    form = TeleversementForm(request.POST, request.FILES)
    if not form.is_valid():
        imports = imports_autorises(request.user).select_related("par")[:50]
        return render(request, "imports/liste.html", {"imports": imports, "form": form, "seuil": _seuil()},
                      status=400)
    imp = services.lancer_import(request.user, form.cleaned_data["fichier"], form.cleaned_data.get("fichier_activites"))
    messages.info(request, "Import lancé : le rapport s'affiche ici dès qu'il est terminé.")
    return redirect(imp)


def _decider(request, pk, action, message: str):
    """Confirm or cancel an import stopped at its preview (the service checks its state)."""
    imp = get_import_or_403(request.user, pk)
    action(request.user, imp)
    messages.info(request, message)
    return redirect(imp)


@gestionnaire_requis
@require_POST
def confirmer(request, pk):
    return _decider(request, pk, services.confirmer_import,
                    "Import confirmé : il s'applique maintenant, le rapport s'affiche ici.")


@gestionnaire_requis
@require_POST
def annuler(request, pk):
    return _decider(request, pk, services.annuler_import, "Import annulé : rien n'a été modifié.")


TYPES = [(t.value, t.label) for t in Changement.Type]


@gestionnaire_requis
@require_GET
def detail(request, pk):
    imp = get_import_or_403(request.user, pk)
    contexte = {"imp": imp, "types": TYPES}
    if imp.statut in (ImportFiness.Statut.TERMINE, ImportFiness.Statut.A_CONFIRMER):
        type_choisi = request.GET.get("type", "")
        changements = imp.changements.select_related("structure")
        if type_choisi in dict(TYPES):
            changements = changements.filter(type=type_choisi)
        contexte["type_choisi"] = type_choisi
        contexte["page"] = Paginator(changements, 100).get_page(request.GET.get("page"))
    return render(request, "imports/detail.html", contexte)


@gestionnaire_requis
@require_GET
def progression(request, pk):
    """Polled by static/imports/js/progression.js while the import runs."""
    imp = get_import_or_403(request.user, pk)
    pourcentage, etape = 0, "En attente d'un worker"
    if imp.est_fini:
        pourcentage, etape = 100, imp.get_statut_display()
    elif imp.tache:
        resultat = AsyncResult(imp.tache)
        if resultat.state == "PROGRESS" and isinstance(resultat.info, dict):
            pourcentage, etape = resultat.info.get("progression", 0), resultat.info.get("etape", "")
        elif imp.statut == ImportFiness.Statut.EN_COURS:
            etape = "Import en cours"
    return JsonResponse({"statut": imp.statut, "fini": imp.est_fini, "progression": pourcentage, "etape": etape,
                         "url": reverse("imports:detail", args=[imp.pk])})


@gestionnaire_requis
@require_GET
def rapport_csv(request, pk):
    imp = get_import_or_403(request.user, pk)
    return reponse_csv(
        f"rapport-import-finess-{imp.pk}.csv", ["type", "niveau", "finess", "nom", "champ", "avant", "après"],
        ([c.get_type_display(), c.niveau, c.finess, c.nom, c.libelle_champ, c.avant, c.apres]
         for c in imp.changements.iterator(chunk_size=5000)))
