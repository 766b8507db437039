"""Répertoire pages: browse the tree, read a fiche, edit one encadré, history, PDF,
favourites and anomaly reports. Each view is one user step; writes go through
repertoire.services, access checks through repertoire.access."""

import json
import logging
import mimetypes
import posixpath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Max
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST, require_safe

from . import access, lecture
from .encadres import encadre_de, encadres_de
from .extensions import registre
from .forms import (EditionEncadre, FormulaireAnomalie, FormulaireTraitement, chercher_communes, chercher_departements,
                    chercher_epci, libelle_departement, libelle_epci)
from .historique import formater_valeur, historique_de
from .autorisations import autorisations_de_l_eg
from .models import AutorisationFiness, Favori, Niveau, SignalementAnomalie, Structure
from .services import encadres, favoris, offre, signalements
from .version import DUREE_FRAGMENTS, version_offre

logger = logging.getLogger(__name__)

TAILLE_PAGE_ARBRE = 100


# -- the tree -----------------------------------------------------------------------------------

def _disciplines(request) -> set[str]:
    """Checked disciplines; all of them on a first visit."""
    if "filtre" not in request.GET:
        return set(lecture.TOUTES_DISCIPLINES)
    return {d for d in request.GET.getlist("d") if d in lecture.TOUTES_DISCIPLINES}


def _contexte_filtre(request, disciplines) -> dict:
    filtre = "filtre=1" + "".join(f"&d={d}" for d in sorted(disciplines))
    return {"disciplines": disciplines, "filtre_qs": filtre, "DISCIPLINES": lecture.DISCIPLINES}


def _page(request) -> int:
    try:
        return max(0, int(request.GET.get("debut", 0)))
    except ValueError:
        return 0


@login_required
@require_GET
def arbre(request):
    """The Répertoire: the tree by Entité juridique, by Département or the user's Favoris, filtered."""
    disciplines = _disciplines(request)
    mode = request.GET.get("mode", "ej")
    if mode not in {"ej", "departement", "favoris"}:
        mode = "ej"
    texte = request.GET.get("q", "").strip()
    contexte = {"mode": mode, "q": texte, "codes": lecture.CODES_LEGENDE, "statuts": lecture.ICONES_STATUT,
                **_contexte_filtre(request, disciplines)}
    debut = _page(request)
    if texte:
        if len(lecture.sans_accents(texte)) < 3:
            contexte["erreur_q"] = "Saisissez au moins 3 lettres du nom."
        else:
            contexte["resultats"] = lecture.trier(lecture.nommer_rattachement(lecture.noeuds(
                lecture.par_nom(texte, disciplines), disciplines, request.user, limite=100)))
    elif mode == "departement":
        contexte["departements"] = lecture.departements_avec_comptes(disciplines)
    elif mode == "favoris":
        favorites = Structure.objects.filter(pk__in=Favori.objects.filter(user=request.user).values("structure_id"))
        contexte["racines"] = lecture.noeuds(favorites.order_by("nom"), disciplines, request.user)
    else:
        racines = Structure.objects.ej().order_by("nom", "id")  # A–Z (index niveau, nom)
        contexte["racines"] = lecture.noeuds(racines, disciplines, request.user, debut, TAILLE_PAGE_ARBRE, Niveau.EJ)
        if len(contexte["racines"]) == TAILLE_PAGE_ARBRE:
            contexte["suite"] = debut + TAILLE_PAGE_ARBRE
    if request.htmx and debut:
        return render(request, "repertoire/_noeuds.html", {**contexte, "noeuds": contexte["racines"]})
    return render(request, "repertoire/arbre.html", contexte)


@login_required
@require_GET
def arbre_enfants(request, pk):
    """Expanding a node: its children, with their own child counts."""
    parent = access.get_structure_or_403(request.user, pk)
    disciplines = _disciplines(request)
    debut = _page(request)
    enfants = lecture.noeuds(Structure.objects.filter(parent=parent).order_by(*lecture.ORDRE_ENFANTS), disciplines, request.user,
                             debut, TAILLE_PAGE_ARBRE)
    contexte = {"noeuds": enfants, "parent": parent, **_contexte_filtre(request, disciplines),
                "suite": debut + TAILLE_PAGE_ARBRE if len(enfants) == TAILLE_PAGE_ARBRE else None,
                "url_suite": reverse("repertoire:arbre_enfants", args=[pk])}
    gabarit = "repertoire/_noeuds.html" if request.htmx else "repertoire/arbre_noeud.html"
    return render(request, gabarit, contexte)


@login_required
@require_GET
def arbre_departement(request, code):
    """Expanding a département: its entités géographiques."""
    from nomenclatures.models import Departement

    departement = get_object_or_404(Departement, pk=code)
    disciplines = _disciplines(request)
    debut = _page(request)
    egs = Structure.objects.eg().filter(departement=departement).order_by("nom")
    noeuds = lecture.noeuds(egs, disciplines, request.user, debut, TAILLE_PAGE_ARBRE, Niveau.EG)
    contexte = {"noeuds": noeuds, "departement": departement, **_contexte_filtre(request, disciplines),
                "suite": debut + TAILLE_PAGE_ARBRE if len(noeuds) == TAILLE_PAGE_ARBRE else None,
                "url_suite": reverse("repertoire:arbre_departement", args=[code])}
    gabarit = "repertoire/_noeuds.html" if request.htmx else "repertoire/arbre_noeud.html"
    return render(request, gabarit, contexte)


# -- a fiche ------------------------------------------------------------------------------------

def _bloc(structure: Structure, encadre, peut_modifier: bool) -> dict:
    return {"encadre": encadre, "lignes": lecture.lignes(structure, encadre),
            "modifiable": peut_modifier and encadre.modifiable}


def autorisations_de_la_fiche(structure: Structure):
    """FINESS's activities shown on a fiche: exercised by an EG, authorised to an EJ, served by a UO."""
    if structure.niveau == Niveau.EG:
        return list(autorisations_de_l_eg(structure).prefetch_related("unites"))
    if structure.niveau == Niveau.EJ and structure.finess:
        return list(AutorisationFiness.objects.filter(finess_ej=structure.finess, exercee=False))
    if structure.autorisation_id:
        return [structure.autorisation]
    return []


def _parties_fiche(pk, peut_modifier: bool) -> dict:
    """What a fiche shows of the offer, rendered: the same for every reader who may (or may not)
    modify it, so cached under the version of the offer (read first by the caller)."""
    structure = lecture.charger_fiche(pk)
    enfants = lecture.noeuds(Structure.objects.filter(parent=structure).order_by(*lecture.ORDRE_ENFANTS),
                             lecture.TOUTES_DISCIPLINES, None, 0, 500)
    ancetres = list(structure.get_ancestors().select_related("type_oi"))
    contexte = {
        "structure": structure,
        "enfants": enfants,
        "blocs": [_bloc(structure, e, peut_modifier) for e in encadres_de(structure.niveau)],
        **lecture.details(structure),
        "position": lecture.position(structure),
        "groupements": lecture.groupements(structure),
        "url_dossier": registre.url_dossier(structure),
        "icone_statut": lecture.ICONES_STATUT.get(structure.statut_fiche),
        "autorisations": autorisations_de_la_fiche(structure),
    }
    return {partie: render_to_string(f"repertoire/_fiche_{partie}.html", {**contexte, "ancetres": ancetres})
            for partie in ("fil", "entete", "principal", "cote")}


@login_required
@require_GET
def fiche(request, pk):
    version = version_offre()  # before the data cached under it
    structure = access.exiger(request.user, access.LIRE, get_object_or_404(
        Structure.objects.select_related("verifie_par"), pk=pk))
    peut_modifier = access.peut(request.user, access.MODIFIER, structure)
    cle = f"repertoire:fiche:{pk}:{version}:{int(peut_modifier)}"
    parties = cache.get(cle)
    if parties is None:
        parties = _parties_fiche(pk, peut_modifier)
        cache.set(cle, parties, DUREE_FRAGMENTS)
    return render(request, "repertoire/fiche.html", {
        "structure": structure, "parties": {nom: mark_safe(html) for nom, html in parties.items()},
        "verifiee": lecture.anciennete(structure.date_verification),
        "peut_modifier": peut_modifier,
        "peut_dossier": access.peut(request.user, access.OUVRIR_DOSSIER, structure),
        "url_dossier": registre.url_dossier(structure),
        "est_favori": Favori.objects.filter(user=request.user, structure=structure).exists(),
        "encadres_extensions": registre.encadres_fiche(request, structure)})


@login_required
@require_GET
def historique(request, pk):
    structure = access.get_structure_or_403(request.user, pk, access.LIRE)
    return render(request, "repertoire/historique.html", {
        "structure": structure, "ancetres": list(structure.get_ancestors().select_related("type_oi")),
        "entrees": historique_de(structure), "onglet": "historique"})


def _rendu_encadre(request, structure, encadre, edition=None, conflit=None, enregistre=False, status=200):
    """The encadré, read or in edit mode; a fragment for htmx, a page otherwise."""
    contexte = {"structure": structure, "bloc": _bloc(structure, encadre, True), "edition": edition,
                "conflit": conflit, "enregistre": enregistre, "url_dossier": registre.url_dossier(structure),
                **lecture.details(structure)}
    if request.htmx:  # htmx swaps only successful answers
        status = 200
    if edition is None and request.htmx:
        return render(request, "repertoire/_encadre.html", contexte, status=status)
    if request.htmx:
        return render(request, "repertoire/_encadre_form.html", contexte, status=status)
    return render(request, "repertoire/encadre_modifier.html", contexte, status=status)


@login_required
def modifier_encadre(request, pk, cle):
    """Edit ONE encadré of operational data; published at once, never over someone else's change."""
    structure = access.exiger(request.user, access.MODIFIER, lecture.charger_fiche(pk))
    encadre = encadre_de(structure.niveau, cle)
    if encadre is None or not encadre.modifiable:
        raise Http404("Encadré inconnu.")
    if request.method == "GET":
        if request.GET.get("lecture"):
            return _rendu_encadre(request, structure, encadre)
        return _rendu_encadre(request, structure, encadre, EditionEncadre(encadre, structure))
    if request.method != "POST":
        return HttpResponse(status=405)
    edition = EditionEncadre(encadre, structure, request.POST, request.FILES)
    if not edition.is_valid():
        return _rendu_encadre(request, structure, encadre, edition, status=400)
    version_lue = edition.version
    try:
        encadres.modifier_encadre(request.user, structure, cle, edition.donnees(), version_attendue=version_lue)
    except offre.ConflitDeVersion as conflit:
        actuelle = lecture.charger_fiche(pk)
        # Keep what the user typed, against the current version: saving again is a deliberate choice.
        donnees = request.POST.copy()
        donnees["version"] = actuelle.version
        edition = EditionEncadre(encadre, actuelle, donnees, request.FILES)
        edition.is_valid()
        return _rendu_encadre(request, actuelle, encadre, edition, conflit=_conflit(conflit), status=409)
    except ValidationError as erreur:
        edition.champs.add_error(None, erreur)
        return _rendu_encadre(request, structure, encadre, edition, status=400)
    if request.htmx:
        actuelle = lecture.charger_fiche(pk)
        reponse = _rendu_encadre(request, actuelle, encadre, enregistre=True)
        reponse["HX-Trigger"] = json.dumps({"ror:version": {"avant": version_lue, "apres": actuelle.version}})
        return reponse
    messages.success(request, f"Encadré « {encadre.titre} » enregistré et publié.")
    return redirect(reverse("repertoire:fiche", args=[pk]) + f"#encadre-{cle}")


def _conflit(conflit: offre.ConflitDeVersion) -> dict:
    """Who changed the fiche meanwhile, in which encadré, and which values (from its history)."""
    auteurs = list(conflit.structure.history.filter(version__gt=conflit.version_lue)
                   .select_related("history_user").order_by("history_date"))
    return {
        "auteurs": [{"par": h.history_user, "le": h.history_date, "encadre": h.history_change_reason} for h in auteurs],
        "changements": [{"libelle": c["libelle"].capitalize(), "avant": formater_valeur(c["champ"], c["avant"]),
                         "apres": formater_valeur(c["champ"], c["apres"])} for c in conflit.changements],
    }


@login_required
@require_POST
def verifier(request, pk):
    """"J'ai vérifié mes données"."""
    structure = access.get_structure_or_403(request.user, pk, access.MODIFIER)
    try:
        encadres.confirmer_verification(request.user, structure)
    except ValidationError:  # stored values that no longer pass: corrected first, never a 500
        messages.error(request, "Des informations de la fiche sont invalides : corrigez-les, puis confirmez.")
    else:
        messages.success(request, "Merci : la vérification de la fiche est enregistrée.")
    return redirect("repertoire:fiche", pk=pk)


@login_required
@require_POST
def favori(request, pk):
    structure = access.get_structure_or_403(request.user, pk)
    if request.POST.get("action") == "retirer":
        favoris.retirer_favori(request.user, structure)
        messages.info(request, "Fiche retirée de vos favoris.")
    else:
        favoris.ajouter_favori(request.user, structure)
        messages.success(request, "Fiche ajoutée à vos favoris.")
    return redirect("repertoire:fiche", pk=pk)


@login_required
@require_GET
def pdf(request, pk):
    """The fiche as PDF; an EG with many units is produced in the background: a page shows the
    progress and opens the PDF when it is ready (kept until the fiche changes)."""
    from . import pdf as export_pdf

    structure = access.get_structure_or_403(request.user, pk)
    nom = f"fiche-{structure.niveau.lower()}-{structure.pk}.pdf"
    if not export_pdf.asynchrone(structure):
        return _reponse_pdf(export_pdf.fiche_pdf(structure), nom)
    etat = {"pret": True, "progression": 100}
    if not export_pdf.pdf_pret(structure):
        etat = _etat_pdf(request, structure)
    if request.htmx:  # the waiting page polls this; when ready, the browser opens the PDF
        reponse = render(request, "repertoire/_pdf_progression.html", {"structure": structure, **etat})
        if etat["pret"]:
            reponse["HX-Redirect"] = reverse("repertoire:pdf", args=[structure.pk])
        return reponse
    stocke = export_pdf.pdf_pret(structure) if etat["pret"] else None
    if stocke:
        with default_storage.open(stocke, "rb") as f:
            return _reponse_pdf(f.read(), nom)
    return render(request, "repertoire/pdf_attente.html", {"structure": structure, **etat})


def _reponse_pdf(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse


def _etat_pdf(request, structure) -> dict:
    """Start the task once per version of the fiche, and read its progress."""
    from celery.result import AsyncResult

    from . import pdf as export_pdf
    from .tasks import produire_pdf

    cle = "repertoire:pdf:" + export_pdf.nom_fichier(structure)
    tache = cache.get(cle)
    resultat = AsyncResult(tache) if tache else None
    if resultat is None or resultat.state == "FAILURE":
        try:
            tache = produire_pdf.delay(structure.pk).id
        except Exception:  # no broker reachable: made here, the person still gets the PDF
            logger.exception("Tâche PDF non lancée : production immédiate")
            export_pdf.produire(structure)
            return {"pret": True, "progression": 100, "etape": "Terminé", "nb_uo": export_pdf.nb_uo(structure)}
        cache.set(cle, tache, 3600)
        resultat = AsyncResult(tache)
    info = resultat.info if isinstance(resultat.info, dict) else {}
    pret = resultat.state == "SUCCESS" or export_pdf.pdf_pret(structure) is not None
    return {"pret": pret, "progression": 100 if pret else info.get("progression", 0),
            "etape": "Terminé" if pret else info.get("etape", "En attente de démarrage"),
            "nb_uo": export_pdf.nb_uo(structure)}


# -- anomalies ----------------------------------------------------------------------------------

@login_required
def signaler(request, pk):
    structure = access.get_structure_or_403(request.user, pk)
    form = FormulaireAnomalie(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signalements.signaler_anomalie(request.user, structure, form.cleaned_data["description"])
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(request, "Merci : votre signalement a été transmis aux référents de la structure "
                                      "et à l'équipe du ROR.")
            return redirect("repertoire:fiche", pk=pk)
    return render(request, "repertoire/signaler.html", {"structure": structure, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def anomalies(request):
    """Reports to treat (référents of the structure, gestionnaires) and the user's own reports."""
    a_traiter = access.anomalies_autorisees(request.user, access.MODIFIER).select_related("structure", "auteur", "traitee_par")
    statut = request.GET.get("statut", "ouvertes")
    if statut == "ouvertes":
        a_traiter = a_traiter.filter(traitee_le__isnull=True)
    mes_signalements = SignalementAnomalie.objects.filter(auteur=request.user).select_related("structure")
    return render(request, "repertoire/anomalies.html", {
        "a_traiter": a_traiter[:200], "statut": statut, "mes_signalements": mes_signalements[:50],
        "form": FormulaireTraitement()})


@login_required
@require_POST
def traiter_anomalie(request, pk):
    anomalie = access.get_anomalie_or_403(request.user, pk, access.MODIFIER,
                                          SignalementAnomalie.objects.select_related("structure"))
    form = FormulaireTraitement(request.POST)
    if not form.is_valid():
        messages.error(request, "Rédigez une réponse pour l'auteur du signalement.")
        return redirect("repertoire:anomalies")
    signalements.traiter_anomalie(request.user, anomalie, form.cleaned_data["reponse"])
    messages.success(request, "Signalement marqué comme traité ; son auteur a reçu votre réponse.")
    return redirect("repertoire:anomalies")


@login_required
@require_GET
def communes(request):
    """Autocomplete of communes by name or postcode (territoire d'intervention, adresse); for a
    territory (`territoire=1`), the département (« 49 », « Maine ») and the EPCI of that name
    first: each is taken whole in one step."""
    q = request.GET.get("q", "")
    entiers = []
    if request.GET.get("territoire"):
        entiers = [{"code": d.pk, "libelle": libelle_departement(d.nom, d.code),
                    "detail": f"tout le département, {d.n} communes"}
                   for d in chercher_departements(q)]
        entiers += [{"code": e.pk, "libelle": libelle_epci(e.nom), "detail": f"toute l'EPCI, {e.n} communes"}
                    for e in chercher_epci(q)]
    return JsonResponse({"communes": entiers + [{"code": c.pk, "libelle": str(c)} for c in chercher_communes(q)]})


# -- home page -------------------------------------------------------------------------------

@require_GET
def accueil(request):
    """Home page: the search form, what awaits this user ("À traiter", by role), the offer in figures."""
    comptes = dict(
        Structure.objects.ouvertes().order_by().values_list("niveau").annotate(n=Count("id"))
    )
    derniere_maj = Structure.objects.aggregate(m=Max("modifie_le"))["m"]
    a_traiter = registre.a_traiter(request.user) if request.user.is_authenticated else []
    return render(request, "accueil.html", {
        "a_traiter": a_traiter,
        "nb_ej": comptes.get(Niveau.EJ, 0),
        "nb_eg": comptes.get(Niveau.EG, 0),
        "nb_uo": comptes.get(Niveau.UO, 0),
        "derniere_maj": derniere_maj,
    })


# -- uploaded files ------------------------------------------------------------------------------

# Shown in the browser; anything else is downloaded (never rendered as a page of the portal).
TYPES_AFFICHES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}


@login_required
@require_safe
def fichier_protege(request, chemin):
    """An uploaded file (photo, pièce jointe, FINESS file), after the check its app registered
    (repertoire.extensions.proteger_fichiers). Unknown, forbidden or missing: the same 404."""
    nom = posixpath.normpath(chemin)
    if nom.startswith(("/", "..")) or nom != chemin or not registre.fichier_autorise(request.user, nom):
        raise Http404("Fichier introuvable.")
    try:
        contenu = default_storage.open(nom, "rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    type_mime = mimetypes.guess_type(nom)[0] or "application/octet-stream"
    reponse = FileResponse(contenu, content_type=type_mime, as_attachment=type_mime not in TYPES_AFFICHES,
                           filename=posixpath.basename(nom))
    reponse["Cache-Control"] = "private, max-age=3600"
    return reponse
