"""Pages of the dossier collaboratif; each view is one user step and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from repertoire import access as repertoire_access
from repertoire.forms import resoudre_commune
from repertoire.models import Niveau, Structure

from . import access, comparaison, services, structures
from .brouillon import lignes_de_diff
from .forms import CommentaireForm, CreerStructureForm, CreerUnitesForm, DeplacerForm, DossierFilter, formulaire_de_fiche
from .models import EtatDossier, FicheBrouillon, StatutBrouillon
from .nommage import avertissements, avertissements_par_champ


def _erreur(request, erreur: services.ActionImpossible) -> None:
    details = f" ({', '.join(erreur.details)})" if erreur.details else ""
    messages.error(request, f"{erreur.message}{details}")


def _vers_le_dossier(dossier):
    return redirect("dossiers:detail", pk=dossier.pk)


def _fiche_du_dossier(dossier, pk) -> FicheBrouillon:
    return get_object_or_404(dossier.fiches.select_related("structure", "parent"), pk=pk)


# -- list and "à traiter" -------------------------------------------------------------

@login_required
def liste(request):
    repertoire_access.exiger(request.user, repertoire_access.OUVRIR_DOSSIER)  # somewhere: consultants get 403
    visibles = access.dossiers_autorises(request.user, access.VOIR).select_related("structure", "ouvert_par")
    filtre = DossierFilter(request.GET or None, queryset=visibles.order_by("-modifie_le"))
    page = Paginator(filtre.qs, 50).get_page(request.GET.get("page"))
    return render(request, "dossiers/liste.html", {
        "filtre": filtre, "page": page, "a_traiter": access.dossiers_a_traiter(request.user),
        "a_ouvrir": _structures_a_ouvrir(request.user),
    })


def _structures_a_ouvrir(user, limite: int = 50):
    """The EJ/EG a référent or directeur may open a dossier on (gestionnaires go through the Répertoire)."""
    if repertoire_access.est_gestionnaire(user):
        return Structure.objects.none()
    return repertoire_access.structures_autorisees(user, repertoire_access.OUVRIR_DOSSIER).de_niveaux(
        Niveau.EJ, Niveau.EG).order_by("tree_id", "lft")[:limite]


# -- opening ------------------------------------------------------------------------

@login_required
def ouvrir(request, pk):
    structure = repertoire_access.get_structure_or_403(request.user, pk, repertoire_access.OUVRIR_DOSSIER)
    if structure.niveau in (Niveau.OI, Niveau.UO):
        structure = structure.eg
    if request.method == "POST":
        try:
            dossier = services.ouvrir_dossier(request.user, structure, request.POST.get("titre", ""))
        except services.DossierDejaOuvert as erreur:
            messages.warning(request, erreur.message)
            if access.peut(request.user, access.VOIR, erreur.dossier):
                return _vers_le_dossier(erreur.dossier)
            return redirect("dossiers:liste")
        messages.success(request, f"{dossier.reference} ouvert : modifiez les fiches, puis finalisez-les.")
        return _vers_le_dossier(dossier)
    return render(request, "dossiers/ouvrir.html", {
        "structure": structure, "nb_fiches": structure.get_descendant_count() + 1,
        "deja": (deja := services.dossier_ouvert_autour(structure)),
        "deja_message": services.deja_ouvert_message(deja, structure) if deja else "",
    })


# -- the dossier --------------------------------------------------------------------

def _fiches_en_arbre(dossier) -> list[FicheBrouillon]:
    """Live fiches in tree order, each created fiche right after its parent (live or created)."""
    fiches = list(dossier.fiches.select_related("structure", "parent", "parent_initial").order_by("id"))
    sous = {}  # ("s", live pk) or ("f", fiche pk) → the fiches created under it
    for f in fiches:
        if f.est_creation:
            sous.setdefault(("f", f.parent_fiche_id) if f.parent_fiche_id else ("s", f.parent_id), []).append(f)
    ordre, vues = [], set()

    def placer(fiche):
        ordre.append(fiche)
        vues.add(fiche.pk)
        for creee in sous.get(("f", fiche.pk) if fiche.est_creation else ("s", fiche.structure_id), []):
            placer(creee)

    # live fiches in the tree's order (a dossier copies them in whatever order its copy ran)
    vivantes = sorted((f for f in fiches if not f.est_creation),
                      key=lambda f: (f.structure.tree_id, f.structure.lft) if f.structure else (0, f.pk))
    for fiche in vivantes:
        placer(fiche)
    ordre += [f for f in fiches if f.pk not in vues]
    services.fiches_averties(ordre)  # naming rules: on the names the dossier changes
    structures.avertissements_finess(ordre)
    return ordre


@login_required
def detail(request, pk):
    dossier = access.get_dossier_or_403(request.user, pk, access.VOIR)
    user = request.user
    return render(request, "dossiers/detail.html", {
        "dossier": dossier,
        "fiches": _fiches_en_arbre(dossier),
        "transitions": dossier.transitions.select_related("par"),
        "dernier_commentaire": dossier.transitions.exclude(commentaire="").select_related("par").last(),
        "peut_remplir": dossier.est_brouillon and access.peut(user, access.REMPLIR, dossier),
        "peut_valider": dossier.etat == EtatDossier.VALIDATION_DIRECTEUR and access.peut(user, access.VALIDER,
                                                                                       dossier),
        "peut_publier": dossier.etat == EtatDossier.VALIDATION_GESTIONNAIRE and access.peut(user, access.PUBLIER,
                                                                                          dossier),
        "form_commentaire": CommentaireForm(),
        "nb_en_attente": dossier.fiches.filter(statut=StatutBrouillon.EN_ATTENTE).count(),
    })


@login_required
def fiche(request, pk, fiche):
    dossier = access.get_dossier_or_403(request.user, pk, access.VOIR)
    brouillon = _fiche_du_dossier(dossier, fiche)
    modifiable = (dossier.est_brouillon and not brouillon.a_supprimer
                  and access.peut(request.user, access.REMPLIR, dossier))
    if not modifiable:
        if request.method == "POST":
            access.exiger(request.user, access.REMPLIR, dossier)
            messages.error(request, "Cette fiche n'est plus modifiable (dossier envoyé ou fiche supprimée).")
            return _vers_le_dossier(dossier)
        donnees = services.donnees_de(brouillon)
        return render(request, "dossiers/fiche_lecture.html", {
            "dossier": dossier, "fiche": brouillon, "avertissements": avertissements(brouillon.niveau, donnees),
            "lignes": lignes_de_diff(brouillon.niveau, {}, donnees, seulement_changes=False)})
    try:
        services.preparer_fiche(request.user, brouillon)  # its copy, the first time it is opened
    except services.ActionImpossible as erreur:
        _erreur(request, erreur)
        return _vers_le_dossier(dossier)
    form = formulaire_de_fiche(brouillon, request.POST or None)
    if request.method == "POST" and form.is_valid():
        finaliser = request.POST.get("action") == "finaliser"
        try:
            services.enregistrer_fiche(request.user, brouillon, form.donnees(), finaliser=finaliser)
        except services.ActionImpossible as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"Fiche « {brouillon.nom} » " + (
                "enregistrée et finalisée." if finaliser else "enregistrée et mise en attente."))
            return _vers_le_dossier(dossier)
    return render(request, "dossiers/fiche.html", {
        "dossier": dossier, "fiche": brouillon, "form": form,
        "avertissements": avertissements(brouillon.niveau, brouillon.donnees),
    })


@login_required
def creer_unites(request, pk):
    dossier = access.get_dossier_or_403(request.user, pk, access.REMPLIR)
    form = CreerUnitesForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            creees = services.creer_unites(request.user, dossier, d["parent"], d["nombre"], nom=d["nom"],
                                           discipline=d["discipline"], type_uo=d["type_uo"])
        except services.ActionImpossible as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"{len(creees)} unité(s) opérationnelle(s) en création : complétez-les.")
            if len(creees) == 1:
                return redirect("dossiers:fiche", pk=dossier.pk, fiche=creees[0].pk)
            return _vers_le_dossier(dossier)
    return render(request, "dossiers/creer_unites.html", {"dossier": dossier, "form": form})


@login_required
def creer_structure(request, pk):
    """Create an establishment or an organisation interne in the dossier, after a look for duplicates."""
    dossier = access.get_dossier_or_403(request.user, pk, access.REMPLIR)
    form = CreerStructureForm(request.POST or None, dossier=dossier, parents=structures.parents_possibles(dossier))
    doublons = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            fiche = structures.creer_structure(request.user, dossier, d["niveau"], d["parent"], form.donnees(),
                                               malgre_doublons=d["malgre_doublons"])
        except structures.DoublonProbable as erreur:
            doublons = erreur.doublons
            form.data = form.data.copy()
            form.data["malgre_doublons"] = "on"
        except services.ActionImpossible as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"« {fiche.nom} » en création : complétez sa fiche.")
            return redirect("dossiers:fiche", pk=dossier.pk, fiche=fiche.pk)
    return render(request, "dossiers/creer_structure.html", {"dossier": dossier, "form": form,
                                                              "doublons": doublons})


def _action_sur_unite(request, pk, fiche, fonction, succes: str):
    dossier = access.get_dossier_or_403(request.user, pk, access.REMPLIR)
    brouillon = _fiche_du_dossier(dossier, fiche)
    try:
        fonction(request.user, brouillon)
        messages.success(request, succes.format(nom=brouillon.nom))
    except services.ActionImpossible as erreur:
        _erreur(request, erreur)
    return _vers_le_dossier(dossier)


@login_required
@require_POST
def supprimer_unite(request, pk, fiche):
    return _action_sur_unite(request, pk, fiche, services.supprimer_unite, "Unité « {nom} » marquée pour suppression.")


@login_required
@require_POST
def retablir_unite(request, pk, fiche):
    return _action_sur_unite(request, pk, fiche, services.retablir_unite, "Unité « {nom} » rétablie.")


def _destinations(user, dossier, brouillon):
    racine = dossier.structure
    ej_id = racine.pk if racine.niveau == Niveau.EJ else racine.ej_id
    possibles = Structure.objects.de_niveaux(Niveau.EG, Niveau.OI).filter(ej_id=ej_id).exclude(
        pk=brouillon.parent_id).order_by("tree_id", "lft")
    return repertoire_access.structures_autorisees(user, repertoire_access.OUVRIR_DOSSIER, possibles)


@login_required
def deplacer_unite(request, pk, fiche):
    dossier = access.get_dossier_or_403(request.user, pk, access.REMPLIR)
    brouillon = _fiche_du_dossier(dossier, fiche)
    form = DeplacerForm(request.POST or None, destinations=_destinations(request.user, dossier, brouillon))
    if request.method == "POST" and form.is_valid():
        try:
            services.deplacer_unite(request.user, brouillon, form.cleaned_data["parent"])
        except services.ActionImpossible as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"Unité « {brouillon.nom} » déplacée sous « {form.cleaned_data['parent']} ».")
            return _vers_le_dossier(dossier)
    return render(request, "dossiers/deplacer.html", {"dossier": dossier, "fiche": brouillon, "form": form})


# -- comparing ------------------------------------------------------------------------

def _contexte_comparaison(dossier) -> dict:
    """The dossier's changes (copy → dossier), and apart the live changes since the copy."""
    fiches = _fiches_en_arbre(dossier)
    ecarts = comparaison.ecarts(fiches) if dossier.est_ouvert else []
    return {"dossier": dossier, "blocs": comparaison.changements(fiches), "ecarts": ecarts,
            "conflits": [e for e in ecarts if e["conflit"]],
            "fiches_averties": services.fiches_averties(fiches)}


@login_required
def comparer(request, pk):
    dossier = access.get_dossier_or_403(request.user, pk, access.VOIR)
    return render(request, "dossiers/comparer.html", _contexte_comparaison(dossier))


# -- the workflow steps -----------------------------------------------------------------

def _etape(request, pk, droit, fonction, succes: str):
    dossier = access.get_dossier_or_403(request.user, pk, droit)
    form = CommentaireForm(request.POST)
    commentaire = form.cleaned_data["commentaire"] if form.is_valid() else ""
    try:
        fonction(request.user, dossier, commentaire)
    except services.ActionImpossible as erreur:
        _erreur(request, erreur)
    else:
        messages.success(request, succes)
    return _vers_le_dossier(dossier)


@login_required
@require_POST
def envoyer(request, pk):
    return _etape(request, pk, access.REMPLIR, services.envoyer_en_validation,
                  "Dossier envoyé en validation : le directeur de la structure est prévenu.")


@login_required
@require_POST
def valider(request, pk):
    return _etape(request, pk, access.VALIDER, services.valider,
                  "Dossier validé : les gestionnaires du ROR sont prévenus.")


@login_required
@require_POST
def renvoyer(request, pk):
    return _etape(request, pk, access.VALIDER, services.renvoyer_au_referent, "Dossier renvoyé au référent.")


@login_required
@require_POST
def rejeter(request, pk):
    return _etape(request, pk, access.PUBLIER, services.rejeter_dossier, "Dossier rejeté.")


@login_required
@require_POST
def abandonner(request, pk):
    return _etape(request, pk, access.REMPLIR, services.abandonner_dossier, "Dossier abandonné.")


@login_required
def publier(request, pk):
    dossier = access.get_dossier_or_403(request.user, pk, access.PUBLIER)
    contexte = _contexte_comparaison(dossier)
    if request.method == "POST":
        choix = {cle[len("choix-"):]: valeur for cle, valeur in request.POST.items() if cle.startswith("choix-")}
        try:
            services.publier_ou_expliquer(request.user, dossier, choix, request.POST.get("motif", ""))
        except services.ConflitsDePublication:
            messages.error(request, "Des fiches ont changé dans le Répertoire depuis la copie : choisissez, pour "
                                    "chaque conflit, la valeur à publier.")
        except services.ActionImpossible as erreur:
            _erreur(request, erreur)
        else:
            messages.success(request, f"{dossier.reference} publié : le Répertoire montre les changements.")
            return _vers_le_dossier(dossier)
        contexte["choix"] = choix
        contexte["motif"] = request.POST.get("motif", "")
    return render(request, "dossiers/publier.html", contexte)


@login_required
def nommage(request, pk, fiche):
    """The naming warnings of the fiche as the form stands now (asked while the référent types)."""
    dossier = access.get_dossier_or_403(request.user, pk, access.VOIR)
    brouillon = _fiche_du_dossier(dossier, fiche)
    donnees = dict(services.donnees_de(brouillon))
    for champ in ("nom", "nom_officiel", "commune", "categorie", "type_uo", "type_oi", "discipline"):
        if champ in request.GET:
            donnees[champ] = request.GET[champ][:300] or None
    if donnees.get("commune"):  # as the form shows it: « Angers (49000) », a name or a code
        try:
            donnees["commune"] = resoudre_commune(donnees["commune"]).pk
        except ValidationError:
            donnees["commune"] = None
    for liste in ("publics", "temporalites_accueil"):
        if liste in request.GET:
            donnees[liste] = [v for v in request.GET.getlist(liste) if v.isdigit()]
    try:
        trouves = avertissements_par_champ(brouillon.niveau, donnees)
    except (ValueError, ValidationError):
        trouves = {}
    return JsonResponse({"avertissements": trouves})
