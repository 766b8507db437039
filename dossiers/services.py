"""One function per user action on a dossier collaboratif, each in a transaction,
recording who did it. Rights are checked here too (dossiers.access), so no caller can
skip them; a step refused for the dossier's state raises ActionImpossible (nothing changed).

Publishing applies every change of the dossier to the live Répertoire in ONE transaction,
through the repertoire services, with the dossier named in each fiche's history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from repertoire.access import DIRECTEUR, OUVRIR_DOSSIER, gestionnaires, peut, titulaires
from repertoire.models import Niveau, StatutFiche, Structure
from repertoire.services import offre
from socle.audit import Action, journaliser

from . import access, emails
from .brouillon import champs_de, champs_differents, champs_manquants, libelle, lire_fiches, valeurs_pour_modele
from .disciplines import type_convient
from .models import ETATS_OUVERTS, DossierCollaboratif, EtatDossier, FicheBrouillon, StatutBrouillon, Transition

NOMBRE_MAX_UNITES = 20


class ActionImpossible(Exception):
    """The step cannot be done now (state of the dossier, missing fields…): nothing was changed."""

    def __init__(self, message: str, details: list[str] | None = None):
        self.message = message
        self.details = details or []
        super().__init__(message)


class DossierDejaOuvert(ActionImpossible):
    def __init__(self, dossier: DossierCollaboratif):
        self.dossier = dossier
        super().__init__(f"Un dossier collaboratif est déjà ouvert sur cette structure ({dossier.reference}).")


class ConflitsDePublication(Exception):
    """Live fiches changed since the dossier copied them: the gestionnaire chooses per field."""

    def __init__(self, conflits: list[dict]):
        self.conflits = conflits
        super().__init__(f"{len(conflits)} champ(s) modifié(s) dans le Répertoire depuis la copie.")


# -- helpers ---------------------------------------------------------------------

def _exiger_etat(dossier: DossierCollaboratif, *etats: str) -> None:
    if dossier.etat not in etats:
        attendus = " ou ".join(str(EtatDossier(e).label).lower() for e in etats)
        raise ActionImpossible(f"Action impossible : le dossier est « {dossier.get_etat_display().lower()} » "
                               f"(il doit être {attendus}).")


def _verrouiller(dossier: DossierCollaboratif) -> DossierCollaboratif:
    """Re-read the dossier under a row lock: two clicks cannot run the same step twice."""
    return DossierCollaboratif.objects.select_for_update().select_related("structure").get(pk=dossier.pk)


def _prendre(user, dossier, droit: str, etat: str) -> DossierCollaboratif:
    """Lock the dossier, check the user's right and the dossier's state for this step."""
    dossier = _verrouiller(dossier)
    access.exiger(user, droit, dossier)
    _exiger_etat(dossier, etat)
    return dossier


def _transition(dossier, user, action: str, etat_apres: str, commentaire: str = "") -> Transition:
    transition = Transition.objects.create(dossier=dossier, action=action, etat_avant=dossier.etat,
                                           etat_apres=etat_apres, par=user, commentaire=commentaire)
    dossier.etat = etat_apres
    dossier.modifie_le = timezone.now()
    if etat_apres not in ETATS_OUVERTS:
        dossier.clos_le = dossier.modifie_le
    dossier.save()
    journaliser(user, Action.dossier(etat_apres), cible=f"dossier:{dossier.pk}",
                details={"action": action, "commentaire": commentaire})
    return transition


def _commentaire_obligatoire(commentaire: str) -> str:
    commentaire = (commentaire or "").strip()
    if not commentaire:
        raise ActionImpossible("Indiquez un commentaire : il explique la décision au référent.")
    return commentaire


def _structures_du_dossier(dossier) -> list[int]:
    return [pk for pk in dossier.fiches.exclude(structure=None).values_list("structure_id", flat=True)]


def _pictogramme(fiche: FicheBrouillon) -> str:
    """The live fiche's pictogram while the dossier is open."""
    if fiche.a_supprimer:
        return StatutFiche.SUPPRIMEE
    if fiche.est_deplacee:
        return StatutFiche.DEPLACEE
    if fiche.statut == StatutBrouillon.FINALISEE:
        return StatutFiche.FINALISEE
    return StatutFiche.MODIFICATION


def _marquer(fiche: FicheBrouillon) -> None:
    if fiche.structure_id:
        offre.marquer_statut_fiche([fiche.structure_id], _pictogramme(fiche))


def _toucher(fiche: FicheBrouillon, user) -> None:
    fiche.modifiee_par = user
    fiche.modifiee_le = timezone.now()
    fiche.save()
    DossierCollaboratif.objects.filter(pk=fiche.dossier_id).update(modifie_le=fiche.modifiee_le)
    _marquer(fiche)


def _fiche_modifiable(user, fiche: FicheBrouillon) -> DossierCollaboratif:
    return _prendre(user, fiche.dossier, access.REMPLIR, EtatDossier.BROUILLON)


def _dans_le_dossier(dossier, structure: Structure) -> bool:
    racine = dossier.structure
    return structure.tree_id == racine.tree_id and racine.lft <= structure.lft and structure.rght <= racine.rght


# -- the steps -------------------------------------------------------------------

@transaction.atomic
def ouvrir_dossier(user, structure: Structure, titre: str = "") -> DossierCollaboratif:
    """Open a dossier on an EG or EJ (a unit opens its EG's) and copy its fiches as drafts."""
    if structure.niveau in (Niveau.OI, Niveau.UO):
        structure = structure.eg
    if not peut(user, OUVRIR_DOSSIER, structure):
        raise PermissionDenied("Vous n'avez pas les droits nécessaires pour ouvrir un dossier sur cette structure.")
    # Lock the EJ (root of the tree): openings inside one EJ run one at a time, so an EJ
    # dossier and an EG dossier of that EJ cannot both pass the check below.
    list(Structure.objects.select_for_update().filter(pk=structure.ej_id or structure.pk).values_list("pk"))
    structure = Structure.objects.get(pk=structure.pk)
    autour = Q(structure__in=structure.get_ancestors(include_self=True)) | Q(
        structure__tree_id=structure.tree_id, structure__lft__gte=structure.lft, structure__rght__lte=structure.rght)
    deja = DossierCollaboratif.objects.filter(autour, etat__in=ETATS_OUVERTS).first()
    if deja:
        raise DossierDejaOuvert(deja)
    dossier = DossierCollaboratif.objects.create(structure=structure, ouvert_par=user,
                                                 titre=titre.strip() or f"Modification de {structure.nom}")
    fiches = []
    arbre = list(structure.get_descendants(include_self=True))
    copies = lire_fiches(arbre)
    for s in arbre:
        copie = copies[s.pk]
        fiches.append(FicheBrouillon(dossier=dossier, structure=s, niveau=s.niveau, parent_id=s.parent_id,
                                     parent_initial_id=s.parent_id, donnees=copie, reference=copie,
                                     version_copiee=s.version, profondeur=s.level - structure.level))
    FicheBrouillon.objects.bulk_create(fiches)
    offre.marquer_statut_fiche([f.structure_id for f in fiches], StatutFiche.MODIFICATION)
    _transition(dossier, user, "Ouverture du dossier", EtatDossier.BROUILLON)
    return dossier


@transaction.atomic
def enregistrer_fiche(user, fiche: FicheBrouillon, donnees: dict, *, finaliser: bool) -> FicheBrouillon:
    """"Enregistrer et mettre en attente" (grey) or "Enregistrer et finaliser" (green, required fields checked)."""
    _fiche_modifiable(user, fiche)
    if fiche.a_supprimer:
        raise ActionImpossible("Cette fiche est marquée pour suppression : rétablissez-la d'abord.")
    nouvelles = {**fiche.donnees, **donnees}
    change_de_type = any(nouvelles.get(n) != fiche.donnees.get(n) for n in ("type_uo", "discipline"))
    if change_de_type and nouvelles.get("type_uo") and not type_convient(_code_type(nouvelles["type_uo"]),
                                                                         nouvelles.get("discipline")):
        raise ActionImpossible("Ce type d'UO ne correspond pas à la discipline choisie.")
    if finaliser:
        manquants = champs_manquants(fiche.niveau, nouvelles)
        if manquants:
            raise ActionImpossible("Complétez les champs obligatoires avant de finaliser la fiche.", manquants)
    fiche.donnees = nouvelles
    fiche.statut = StatutBrouillon.FINALISEE if finaliser else StatutBrouillon.EN_ATTENTE
    _toucher(fiche, user)
    return fiche


def _code_type(type_uo_id) -> str:
    from nomenclatures.models import Concept

    return Concept.objects.filter(pk=type_uo_id).values_list("code", flat=True).first() or ""


@transaction.atomic
def creer_unites(user, dossier: DossierCollaboratif, parent: Structure, nombre: int, *, nom: str,
                 discipline: str, type_uo) -> list[FicheBrouillon]:
    """"Créer N unités opérationnelles" under an EG or OI of the dossier (type chosen by discipline)."""
    dossier = _prendre(user, dossier, access.REMPLIR, EtatDossier.BROUILLON)
    if not 1 <= nombre <= NOMBRE_MAX_UNITES:
        raise ActionImpossible(f"Indiquez un nombre d'unités entre 1 et {NOMBRE_MAX_UNITES}.")
    if parent.niveau not in (Niveau.EG, Niveau.OI) or not _dans_le_dossier(dossier, parent):
        raise ActionImpossible("Choisissez une entité géographique ou une organisation interne du dossier.")
    if not type_convient(type_uo.code, discipline):
        raise ActionImpossible("Ce type d'UO ne correspond pas à la discipline choisie.")
    nom = (nom or "").strip() or type_uo.libelle
    profondeur = parent.level - dossier.structure.level + 1
    creees = []
    for rang in range(1, nombre + 1):
        donnees = {"nom": nom if nombre == 1 else f"{nom} {rang}", "discipline": discipline, "type_uo": type_uo.pk}
        creees.append(FicheBrouillon.objects.create(
            dossier=dossier, creation=True, niveau=Niveau.UO, parent=parent, donnees=donnees, statut=StatutBrouillon.EN_ATTENTE,
            profondeur=profondeur, modifiee_par=user, modifiee_le=timezone.now()))
    DossierCollaboratif.objects.filter(pk=dossier.pk).update(modifie_le=timezone.now())
    return creees


@transaction.atomic
def supprimer_unite(user, fiche: FicheBrouillon) -> None:
    """Mark a unit for deletion (a unit created in the dossier simply disappears)."""
    _fiche_modifiable(user, fiche)
    if fiche.niveau != Niveau.UO:
        raise ActionImpossible("Seules les unités opérationnelles se suppriment dans un dossier.")
    if fiche.est_creation:
        fiche.delete()
        return
    fiche.a_supprimer = True
    fiche.statut = StatutBrouillon.FINALISEE
    _toucher(fiche, user)


@transaction.atomic
def retablir_unite(user, fiche: FicheBrouillon) -> None:
    """Cancel the deletion of a unit."""
    _fiche_modifiable(user, fiche)
    if not fiche.a_supprimer:
        raise ActionImpossible("Cette unité n'est pas marquée pour suppression.")
    fiche.a_supprimer = False
    fiche.statut = StatutBrouillon.INCHANGEE if fiche.donnees == fiche.reference else StatutBrouillon.EN_ATTENTE
    _toucher(fiche, user)


@transaction.atomic
def deplacer_unite(user, fiche: FicheBrouillon, nouveau_parent: Structure) -> FicheBrouillon:
    """Move a unit under another EG or OI of the same EJ."""
    dossier = _fiche_modifiable(user, fiche)
    if fiche.niveau != Niveau.UO or fiche.a_supprimer:
        raise ActionImpossible("Seule une unité opérationnelle non supprimée se déplace.")
    ej = dossier.structure if dossier.structure.niveau == Niveau.EJ else dossier.structure.ej
    if nouveau_parent.niveau not in (Niveau.EG, Niveau.OI) or nouveau_parent.ej_id != ej.pk:
        raise ActionImpossible("Une unité se déplace sous une entité géographique ou une organisation interne "
                               "de la même entité juridique.")
    if not peut(user, OUVRIR_DOSSIER, nouveau_parent):
        raise PermissionDenied("Vous n'avez pas les droits sur la structure de destination.")
    fiche.parent = nouveau_parent
    if fiche.statut == StatutBrouillon.INCHANGEE:
        fiche.statut = StatutBrouillon.FINALISEE
    _toucher(fiche, user)
    return fiche


@transaction.atomic
def envoyer_en_validation(user, dossier: DossierCollaboratif, commentaire: str = "") -> None:
    dossier = _prendre(user, dossier, access.REMPLIR, EtatDossier.BROUILLON)
    en_attente = [f.nom for f in dossier.fiches.filter(statut=StatutBrouillon.EN_ATTENTE)]
    if en_attente:
        raise ActionImpossible("Finalisez toutes les fiches avant d'envoyer le dossier en validation.", en_attente)
    if not dossier.fiches.exclude(statut=StatutBrouillon.INCHANGEE).exists():
        raise ActionImpossible("Le dossier ne contient aucune modification à valider.")
    _transition(dossier, user, "Envoi en validation", EtatDossier.VALIDATION_DIRECTEUR, commentaire)
    emails.notifier(dossier, titulaires(dossier.structure, DIRECTEUR), "à valider",
                    "Un dossier collaboratif attend votre validation de directeur.", user)


@transaction.atomic
def valider(user, dossier: DossierCollaboratif, commentaire: str = "") -> None:
    dossier = _prendre(user, dossier, access.VALIDER, EtatDossier.VALIDATION_DIRECTEUR)
    _transition(dossier, user, "Validation du directeur", EtatDossier.VALIDATION_GESTIONNAIRE, commentaire)
    emails.notifier(dossier, gestionnaires(), "à publier",
                    "Un dossier collaboratif validé par son directeur attend sa publication.", user)


@transaction.atomic
def renvoyer_au_referent(user, dossier: DossierCollaboratif, commentaire: str) -> None:
    dossier = _prendre(user, dossier, access.VALIDER, EtatDossier.VALIDATION_DIRECTEUR)
    commentaire = _commentaire_obligatoire(commentaire)
    _transition(dossier, user, "Renvoi au référent", EtatDossier.BROUILLON, commentaire)
    emails.notifier(dossier, emails.referents(dossier), "renvoyé au référent",
                    f"Le directeur vous renvoie le dossier avec ce commentaire :\n« {commentaire} »", user)


def _clore(user, dossier, action: str, etat: str, commentaire: str) -> None:
    offre.marquer_statut_fiche(_structures_du_dossier(dossier), StatutFiche.STANDARD)
    _transition(dossier, user, action, etat, commentaire)


@transaction.atomic
def rejeter_dossier(user, dossier: DossierCollaboratif, commentaire: str) -> None:
    dossier = _prendre(user, dossier, access.PUBLIER, EtatDossier.VALIDATION_GESTIONNAIRE)
    commentaire = _commentaire_obligatoire(commentaire)
    _clore(user, dossier, "Rejet par le gestionnaire", EtatDossier.REJETE, commentaire)
    emails.notifier(dossier, emails.referents(dossier), "rejeté",
                    f"Le gestionnaire du ROR a rejeté le dossier :\n« {commentaire} »", user)


@transaction.atomic
def abandonner_dossier(user, dossier: DossierCollaboratif, commentaire: str = "") -> None:
    dossier = _prendre(user, dossier, access.REMPLIR, EtatDossier.BROUILLON)
    _clore(user, dossier, "Abandon du dossier", EtatDossier.ABANDONNE, commentaire.strip())


# -- publication -----------------------------------------------------------------

def conflits(dossier: DossierCollaboratif) -> list[dict]:
    """Fields both the dossier and someone in the live Répertoire changed since the copy, differently."""
    trouves = []
    fiches = list(dossier.fiches.exclude(structure=None).filter(creation=False, a_supprimer=False).select_related(
        "structure"))
    actuelles = lire_fiches(f.structure for f in fiches)
    for fiche in fiches:
        actuelle = actuelles[fiche.structure_id]
        noms = champs_de(fiche.niveau)
        par_dossier = set(champs_differents(fiche.reference, fiche.donnees, noms))
        par_repertoire = set(champs_differents(fiche.reference, actuelle, noms))
        for nom in noms:
            if nom in par_dossier & par_repertoire and champs_differents(actuelle, fiche.donnees, [nom]):
                trouves.append({"fiche": fiche, "cle": f"{fiche.pk}:{nom}", "champ": nom, "libelle": libelle(nom),
                                "copie": fiche.reference.get(nom), "repertoire": actuelle.get(nom),
                                "dossier": fiche.donnees.get(nom)})
    return trouves


@transaction.atomic
def publier_dossier(user, dossier: DossierCollaboratif, choix: dict | None = None) -> None:
    """Apply every change of the dossier to the live Répertoire, all or nothing.

    `choix` maps "<fiche pk>:<field>" to "dossier" or "repertoire" for each conflict;
    with a conflict left unchosen, ConflitsDePublication is raised and nothing changes.
    """
    choix = choix or {}
    dossier = _prendre(user, dossier, access.PUBLIER, EtatDossier.VALIDATION_GESTIONNAIRE)
    fiches = list(dossier.fiches.select_related("structure", "parent"))
    vivantes = [f.structure_id for f in fiches if f.structure_id]
    list(Structure.objects.select_for_update().filter(pk__in=vivantes).values_list("pk"))
    disparues = [f.nom for f in fiches if not f.est_creation and f.structure_id is None]
    if disparues:
        raise ActionImpossible("Des fiches du dossier ont disparu du Répertoire entre-temps.", disparues)
    a_choisir = conflits(dossier)
    if any(choix.get(c["cle"]) not in ("dossier", "repertoire") for c in a_choisir):
        raise ConflitsDePublication(a_choisir)
    garder_repertoire = {c["cle"] for c in a_choisir if choix[c["cle"]] == "repertoire"}

    raison = dossier.reference
    offre.marquer_statut_fiche(vivantes, StatutFiche.STANDARD)
    for fiche in fiches:  # modifications of existing fiches
        if fiche.est_creation or fiche.a_supprimer:
            continue
        noms = [n for n in champs_differents(fiche.reference, fiche.donnees, champs_de(fiche.niveau))
                if f"{fiche.pk}:{n}" not in garder_repertoire]
        if noms:
            scalaires, m2m = valeurs_pour_modele(fiche.niveau, {n: fiche.donnees[n] for n in noms})
            offre.modifier_structure(user, fiche.structure, scalaires, m2m=m2m, raison=raison)
    for fiche in fiches:  # creations
        if fiche.est_creation:
            scalaires, m2m = valeurs_pour_modele(fiche.niveau, fiche.donnees)
            creee = offre.creer_structure(user, fiche.niveau, fiche.parent, raison=raison, m2m=m2m, **scalaires)
            fiche.structure = creee
            fiche.save(update_fields=["structure"])
    for fiche in fiches:  # moves
        if fiche.est_deplacee and not fiche.a_supprimer:
            offre.deplacer_structure(user, fiche.structure, fiche.parent, raison=raison)
    for fiche in fiches:  # deletions, last
        if fiche.a_supprimer:
            offre.supprimer_structure(user, fiche.structure, raison=raison)
    _transition(dossier, user, "Publication", EtatDossier.PUBLIE,
                f"{len(garder_repertoire)} conflit(s) réglé(s) en gardant le Répertoire" if garder_repertoire else "")
    emails.notifier(dossier, emails.referents(dossier) | titulaires(dossier.structure, DIRECTEUR),
                    "publié", "Le dossier a été publié : le Répertoire et la recherche montrent les changements.",
                    user)


def publier_ou_expliquer(user, dossier, choix=None) -> None:
    """Publish; a model or database refusal becomes an ActionImpossible (the transaction rolled back)."""
    from django.db import DatabaseError

    try:
        publier_dossier(user, dossier, choix)
    except ValidationError as erreur:
        raise ActionImpossible("La publication a échoué : rien n'a été modifié dans le Répertoire.",
                               erreur.messages) from erreur
    except DatabaseError as erreur:
        raise ActionImpossible("La publication a échoué (erreur de la base de données) : rien n'a été modifié "
                               "dans le Répertoire.", [str(erreur).splitlines()[0]]) from erreur
