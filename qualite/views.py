"""Quality dashboard: ANS population rates, incomplete UOs, structures not verified; CSV exports."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nomenclatures.models import Departement
from repertoire.access import ADMINISTRER, gestionnaire_requis, structures_autorisees
from socle.exports import reponse_csv

from . import indicateurs


def _filtres(request, qs):
    """Champ (J20 code) and département filters shared by the lists."""
    champ, dep = request.GET.get("champ", ""), request.GET.get("departement", "")
    if champ == "aucun":
        qs = qs.filter(champ__isnull=True)
    elif champ:
        qs = qs.filter(champ__code=champ)
    if dep:  # a UO without its own département is in its EG's
        qs = qs.filter(Q(departement_id=dep) | Q(departement__isnull=True, eg__departement_id=dep))
    return qs, {"champ": champ, "departement": dep}


def _contexte_filtres(filtres):
    return {"filtres": filtres, "champs": [c for c in indicateurs.CHAMPS if c[0]],
            "departements": Departement.objects.filter(code__in=_departements_utilises())}


def _departements_utilises():
    from django.conf import settings

    return settings.FINESS_DEPARTEMENTS or Departement.objects.values_list("code", flat=True)


@gestionnaire_requis
@require_GET
def tableau(request):
    perimetre = structures_autorisees(request.user, ADMINISTRER)
    return render(request, "qualite/tableau.html", {"tableau": indicateurs.tableau(perimetre),
                                                     "mois": indicateurs.settings.QUALITE_MOIS_VERIFICATION})


def _incompletes(request):
    qs = (indicateurs.uos_evaluees(structures_autorisees(request.user, ADMINISTRER))
          .exclude(statut=indicateurs.FINALISE))
    qs, filtres = _filtres(request, qs)
    return qs.select_related("eg", "champ", "departement").order_by("departement_id", "eg__nom", "nom"), filtres


@gestionnaire_requis
@require_GET
def incompletes(request):
    qs, filtres = _incompletes(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for uo in page:
        uo.manques = indicateurs.manques(uo)
        uo.libelle_statut = indicateurs.LIBELLES_STATUT[uo.statut]
    return render(request, "qualite/incompletes.html", {"page": page, **_contexte_filtres(filtres)})


@gestionnaire_requis
@require_GET
def incompletes_csv(request):
    qs, _ = _incompletes(request)
    lignes = ([uo.departement_id or "", uo.eg.finess if uo.eg else "", uo.eg.nom if uo.eg else "", uo.pk, uo.nom,
               uo.champ.libelle if uo.champ else "", indicateurs.LIBELLES_STATUT[uo.statut],
               " ; ".join(indicateurs.manques(uo))] for uo in qs.iterator(chunk_size=2000))
    return reponse_csv("uo-incompletes.csv", ["département", "FINESS EG", "établissement", "id UO", "unité", "champ",
                                       "statut ANS", "manque"], lignes)


def _non_verifiees(request):
    qs = indicateurs.non_verifiees(queryset=structures_autorisees(request.user, ADMINISTRER))
    niveau = request.GET.get("niveau", "EG")
    qs = qs.filter(niveau=niveau if niveau in {"EG", "UO"} else "EG")
    qs, filtres = _filtres(request, qs)
    filtres["niveau"] = niveau
    return qs.select_related("eg", "departement").order_by("date_verification", "nom"), filtres


@gestionnaire_requis
@require_GET
def non_verifiees(request):
    qs, filtres = _non_verifiees(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "qualite/non_verifiees.html", {
        "page": page, "mois": indicateurs.settings.QUALITE_MOIS_VERIFICATION, **_contexte_filtres(filtres)})


@gestionnaire_requis
@require_GET
def non_verifiees_csv(request):
    qs, _ = _non_verifiees(request)
    lignes = ([s.departement_id or "", s.niveau, s.finess or (s.eg.finess if s.eg else ""), s.pk, s.nom,
               s.eg.nom if s.eg else "", s.date_verification.strftime("%d/%m/%Y") if s.date_verification else "jamais"]
              for s in qs.iterator(chunk_size=2000))
    return reponse_csv("structures-non-verifiees.csv", ["département", "niveau", "FINESS", "id", "nom", "établissement",
                                                 "dernière vérification"], lignes)
