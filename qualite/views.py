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


# -- ANS requirements ------------------------------------------------------------------------

def _tendance(code: str) -> list[tuple]:
    """(date, conformes, total, taux) of the last 12 weekly snapshots of a requirement."""
    from django.db.models import Sum

    from .models import ReleveExigence

    lignes = (ReleveExigence.objects.filter(code=code).values("date").annotate(t=Sum("total"), c=Sum("conformes"))
              .order_by("-date")[:12])
    return [(ligne["date"], ligne["c"], ligne["t"], 100 * ligne["c"] / ligne["t"] if ligne["t"] else None)
            for ligne in reversed(list(lignes))]


def _reference_segur() -> tuple[dict, str]:
    """The first CP4 snapshot by champ: the reference the Ségur targets are computed from."""
    from django.db.models import Min, Sum

    from .models import ReleveExigence

    premiere = ReleveExigence.objects.filter(code="CP4").aggregate(d=Min("date"))["d"]
    if premiere is None:
        return {}, ""
    lignes = (ReleveExigence.objects.filter(code="CP4", date=premiere).values("champ")
              .annotate(t=Sum("total"), c=Sum("conformes")))
    return {ligne["champ"]: (ligne["t"], ligne["c"]) for ligne in lignes}, premiere.strftime("%d/%m/%Y")


@gestionnaire_requis
@require_GET
def exigences(request):
    from . import ans, services

    indicateurs_ans = ans.tous(services.perimetre())
    for ind in indicateurs_ans:
        ind.tendance = _tendance(ind.code)
    cp4 = next(i for i in indicateurs_ans if i.code == "CP4")
    reference, date_reference = _reference_segur()
    return render(request, "qualite/exigences.html", {
        "indicateurs": indicateurs_ans, "segur": ans.segur(cp4, reference, date_reference),
        "date_reference": date_reference, "maj_finess": ans.derniere_mise_a_jour_finess()})


def _exigence(request, code):
    from django.http import Http404

    from . import ans, services

    ind = next((i for i in ans.tous(services.perimetre()) if i.code == code), None)
    if ind is None:
        raise Http404("Exigence inconnue.")
    dep, champ = request.GET.get("departement", ""), request.GET.get("champ", "")
    lignes = [ligne for ligne in ind.en_ecart if (not dep or ligne.departement == dep)
              and (not champ or ligne.champ == champ)]
    return ind, lignes, {"departement": dep, "champ": champ}


@gestionnaire_requis
@require_GET
def exigence(request, code):
    ind, lignes, filtres = _exigence(request, code)
    page = Paginator(lignes, 100).get_page(request.GET.get("page"))
    return render(request, "qualite/exigence.html", {
        "ind": ind, "page": page, "filtres": filtres, "par_departement": ind.par("departement"),
        "par_champ": ind.par("champ"), "tendance": _tendance(ind.code)})


@gestionnaire_requis
@require_GET
def exigence_csv(request, code):
    ind, lignes, _ = _exigence(request, code)
    return reponse_csv(f"exigence-{ind.code}-ecarts.csv",
                       ["exigence", "finess", "nom", "département", "champ", "statut", "détail"],
                       ([ind.code, ligne.finess, ligne.nom, ligne.departement, ligne.champ, ligne.statut, ligne.detail]
                        for ligne in lignes))
