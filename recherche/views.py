"""Recherche: find the right unit near the person, as a list, on a map, or exported."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from nomenclatures.cache import concepts_actifs
from repertoire.models import Structure
from repertoire.version import DUREE_FRAGMENTS, version_offre
from socle.exports import reponse_csv

from .access import get_eg_or_403, get_uo_or_403
from .forms import RechercheForm
from .moteur import (PAR_PAGE, analyser_texte, page_et_facettes, points_carte, proposer_libelles,
                     proposer_lieux, rechercher, uo_correspondantes)
from .resultats import COLONNES_EXPORT, adresse, garnir, lignes_export, patientele, uos_en_ordre

LIMITE_EXPORT = 5000  # establishments


def _requete(request, **changements) -> str:
    """The current query string, without page/view, plus changes."""
    q = request.GET.copy()
    for cle in ("page", "vue"):
        q.pop(cle, None)
    for cle, valeur in changements.items():
        if valeur is not None:
            q[cle] = valeur
    return q.urlencode()


def _formulaire(request):
    form = RechercheForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, form.critere()


def _avec_comptes(form, comptes: dict) -> None:
    """Show next to each filter value how many establishments it would give."""
    codes_par_id = {champ: {pk: code for pk, code, _ in concepts_actifs(jeu)}
                    for champ, jeu in RechercheForm.CHAMPS_CONCEPTS.items()}
    for champ in ["discipline", *RechercheForm.CHAMPS_CONCEPTS]:
        par_code = comptes[champ] if champ == "discipline" else {
            codes_par_id[champ].get(int(i)): n for i, n in comptes[champ].items()}
        field = form.fields[champ]
        field.choices = [(v, f"{lib} ({par_code.get(v, 0)})" if v else lib) for v, lib in field.choices]
    nb = comptes["aide_sociale"].get("oui", 0)
    form.fields["aide_sociale"].label = f"{form.fields['aide_sociale'].label} ({nb})"


def _contexte_recherche(request, vue: str) -> dict:
    contexte = {"vue": vue, "form": None, "requete": _requete(request)}
    if request.GET:
        form, critere = _formulaire(request)
        contexte["form"] = form
        if critere is not None:
            contexte["critere"] = critere
            if vue == "liste":
                numero = form.cleaned_data.get("page") or 1
                page, comptes = page_et_facettes(critere, numero)
                _avec_comptes(form, comptes)
                contexte.update(page=page, analyse=page.analyse, lignes=garnir(page, (numero - 1) * PAR_PAGE + 1, contexte["requete"]))
            else:
                contexte["analyse"] = analyser_texte(critere.texte)  # corrections shown above the map
    form = contexte["form"] = contexte["form"] or RechercheForm()
    contexte["filtres_listes"] = [form[n] for n in ("discipline", "public", "mode", "modalite")]
    contexte["filtres_cases"] = [form[n] for n in ("intervient", "aide_sociale", "fermees")]
    donnees = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    contexte["nb_filtres"] = sum(1 for n in ("discipline", "public", "mode", "modalite", "age", "intervient",
                                            "aide_sociale", "fermees") if donnees.get(n) not in (None, "", False))
    contexte["carte"] = _reglages_carte()
    return contexte


@login_required
def recherche(request):
    """The search page: the form, then the results as a list (or the map). Its content depends on
    the query alone (no user, no CSRF token): rendered once per query and version of the offer."""
    vue = "carte" if request.GET.get("vue") == "carte" else "liste"
    version = version_offre()  # before the data cached under it
    # the query string as sent: the page's links repeat it
    cle = f"recherche:page:{version}:" + hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()
    parties = cache.get(cle)
    if parties is None:
        contexte = _contexte_recherche(request, vue)
        parties = {"titre": render_to_string("recherche/_titre.html", contexte),
                   "contenu": render_to_string("recherche/_contenu.html", contexte),
                   "critere": "critere" in contexte}
        cache.set(cle, parties, DUREE_FRAGMENTS)
    return render(request, "recherche/recherche.html", {"vue": vue, "parties": {
        "titre": mark_safe(parties["titre"]), "contenu": mark_safe(parties["contenu"]), "critere": parties["critere"]}})


def _reglages_carte() -> dict:
    reglages = settings.LEAFLET_CONFIG
    lat, lon = reglages.get("DEFAULT_CENTER", (47.4, -0.8))
    return {"centre": f"{lat},{lon}", "zoom": reglages.get("DEFAULT_ZOOM", 8), "zoom_max": reglages.get("MAX_ZOOM", 18)}


@login_required
def carte_donnees(request):
    """Every matching establishment as compact JSON: {"points": [[id, lat, lon, nb_uo, nom], …]}."""
    form, critere = _formulaire(request)
    if critere is None:
        return JsonResponse({"erreurs": form.errors.get_json_data()}, status=400)
    points = points_carte(critere)
    centre = None
    if critere.lieu and critere.lieu.ponctuel:
        centre = [critere.lieu.latitude, critere.lieu.longitude]
    return JsonResponse({"points": points, "centre": centre, "rayon_km": critere.rayon if centre else None})


@login_required
def carte_lieu(request, pk):
    """The map popup: the matching units of one establishment."""
    eg = get_eg_or_403(request.user, pk)
    form, critere = _formulaire(request)
    uo_ids = uo_correspondantes(critere, eg.pk) if critere else []
    uos = Structure.objects.select_related("type_uo").in_bulk(uo_ids)
    return render(request, "recherche/_carte_lieu.html", {
        "eg": eg, "adresse": adresse(eg), "uos": [uos[pk] for pk in uo_ids if pk in uos], "requete": _requete(request)})


@login_required
def resultat(request, pk):
    """A unit from the results: its fiche, previous / next result, back to the same page."""
    uo = get_uo_or_403(request.user, pk)
    form, critere = _formulaire(request)
    precedent = suivant = None
    numero = 1
    ancre = ""
    if critere is not None:
        numero = form.cleaned_data.get("page") or 1

        def rechercher_page(n):  # the list's own page, so that previous / next follow what it shows
            return page_et_facettes(critere, n, facettes=False)[0]

        page = rechercher_page(numero)
        # back to the results on this unit's row
        rang = next((i for i, r in enumerate(page.resultats) if uo.pk in r.uo_ids), None)
        ancre = f"#resultat-{(numero - 1) * PAR_PAGE + rang + 1}" if rang is not None else ""
        ordre = uos_en_ordre(page)
        if uo.pk in ordre:
            i = ordre.index(uo.pk)
            precedent = (ordre[i - 1], numero) if i > 0 else None
            suivant = (ordre[i + 1], numero) if i + 1 < len(ordre) else None
            if precedent is None and numero > 1:
                precedent = (uos_en_ordre(rechercher_page(numero - 1))[-1], numero - 1)
            if suivant is None and numero < page.nb_pages:
                voisine = uos_en_ordre(rechercher_page(numero + 1))
                suivant = (voisine[0], numero + 1) if voisine else None

    def lien(cible):
        if not cible:
            return None
        return reverse("recherche:resultat", kwargs={"pk": cible[0]}) + "?" + _requete(request, page=str(cible[1]))

    parents = [p for p in uo.get_ancestors() if p.niveau != "UO"]
    return render(request, "recherche/resultat.html", {
        "uo": uo, "eg": uo.eg, "parents": parents,
        "adresse": adresse(uo if uo.commune_id else uo.eg), "patientele": patientele(uo),
        "precedent": lien(precedent), "suivant": lien(suivant),
        "retour": reverse("recherche:recherche") + "?" + _requete(request, page=str(numero)) + ancre,
        "telephone": uo.telephone or uo.eg.telephone,
    })


@login_required
def export_csv(request):
    """The results (one line per unit) as CSV for a spreadsheet."""
    form, critere = _formulaire(request)
    if critere is None:
        return HttpResponse("Recherche invalide : " + "; ".join(
            str(e) for erreurs in form.errors.values() for e in erreurs), status=400,
            content_type="text/plain; charset=utf-8")
    page = rechercher(critere, 1, par_page=LIMITE_EXPORT)
    return reponse_csv("recherche-ror.csv", COLONNES_EXPORT,
                       lignes_export(garnir(page), request.build_absolute_uri("/").rstrip("/")))


@login_required
def autocompletion_lieux(request):
    return JsonResponse({"resultats": proposer_lieux(request.GET.get("q", "")[:100])})


@login_required
def autocompletion_libelles(request):
    return JsonResponse({"resultats": proposer_libelles(request.GET.get("q", "")[:100])})
