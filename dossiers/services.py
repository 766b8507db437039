"""One function per user action on a dossier collaboratif, each in a transaction,
recording who did it. Rights are checked here too (dossiers.access), so no caller can
skip them; a step refused for the dossier's state raises ActionImpossible (nothing changed).

Publishing applies every change of the dossier to the live Répertoire in ONE transaction,
through the repertoire services, with the dossier named in each fiche's history.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from repertoire.access import DIRECTEUR, OUVRIR_DOSSIER, gestionnaires, peut, titulaires
from repertoire.models import Discipline, Niveau, StatutFiche, Structure, q_sous
from repertoire.services import encadres, offre
from socle.audit import Action, journaliser
from socle.ecriture import inserer_en_masse

from . import access, comparaison, emails
from .brouillon import (champs_de, champs_manquants, lire_fiches, parties_pour_service,
                        valeurs_pour_modele)
from .disciplines import type_convient
from .models import ETATS_OUVERTS, DossierCollaboratif, EtatDossier, FicheBrouillon, StatutBrouillon, Transition
from .nommage import NOMMES, avertissements, exemple_unite

NOMBRE_MAX_UNITES = 20


class ActionImpossible(Exception):
    """The step cannot be done now (state of the dossier, missing fields…): nothing was changed."""

    def __init__(self, message: str, details: list[str] | None = None):
        self.message = message
        self.details = details or []
        super().__init__(message)


class DossierDejaOuvert(ActionImpossible):
    def __init__(self, dossier: DossierCollaboratif, structure: Structure | None = None):
        self.dossier = dossier
        super().__init__(deja_ouvert_message(dossier, structure))


def deja_ouvert_message(dossier: DossierCollaboratif, structure: Structure | None) -> str:
    """Which dossier blocks, and where: it may be open on an establishment of this EJ, or on its EJ."""
    ou = "cette structure"
    if structure is not None and dossier.structure_id != structure.pk:
        lien = "dont elle fait partie" if dossier.structure.is_ancestor_of(structure) else "qui en fait partie"
        ou = f"« {dossier.structure.nom} », {lien}"
    return (f"Un dossier collaboratif est déjà ouvert sur {ou} ({dossier.reference}) : il doit être publié, "
            "rejeté ou abandonné avant d'en ouvrir un autre.")


def dossier_ouvert_autour(structure: Structure) -> DossierCollaboratif | None:
    """The open dossier on this structure, above it or below it (one at a time in a tree)."""
    autour = Q(structure__in=structure.get_ancestors(include_self=True)) | q_sous(
        structure, inclus=True, prefixe="structure__")
    return DossierCollaboratif.objects.filter(autour, etat__in=ETATS_OUVERTS).select_related("structure").first()


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


def _message_de(qui: str, commentaire: str) -> str:
    commentaire = (commentaire or "").strip()
    return f"\n\n{qui} :\n« {commentaire} »" if commentaire else ""


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
    deja = dossier_ouvert_autour(structure)
    if deja:
        raise DossierDejaOuvert(deja, structure)
    dossier = DossierCollaboratif.objects.create(structure=structure, ouvert_par=user,
                                                 titre=titre.strip() or f"Modification de {structure.nom}")
    requete = structure.get_descendants(include_self=True)
    # One light row per fiche (plain rows, COPY): its fields are copied when first opened or
    # changed (copier_fiches), so a large EJ of thousands of fiches opens at once.
    arbre = requete.order_by().values_list("pk", "niveau", "parent_id", "version", "level")
    inserer_en_masse(FicheBrouillon, ["dossier_id", "structure_id", "creation", "niveau", "parent_id",
                                      "parent_initial_id", "donnees", "reference", "version_copiee", "a_supprimer",
                                      "statut", "profondeur", "copiee"], (
        {"dossier_id": dossier.pk, "structure_id": pk, "niveau": niveau, "parent_id": parent_id,
         "parent_initial_id": parent_id, "donnees": "{}", "reference": "{}", "version_copiee": version,
         "profondeur": level - structure.level, "copiee": False}
        for pk, niveau, parent_id, version, level in list(arbre)))  # read before the COPY starts
    offre.marquer_statut_fiche(requete, StatutFiche.MODIFICATION)
    _transition(dossier, user, "Ouverture du dossier", EtatDossier.BROUILLON)
    return dossier


def copier_fiches(fiches) -> None:
    """`fiches`: a list, or a queryset of a dossier's fiches. Copy the live fiches not copied yet
    into their drafts (fields, code lists, contacts…):
    the copy the dossier's changes are compared with. Done when a fiche is first opened or
    changed; a fiche never opened stays as it is in the Répertoire."""
    if isinstance(fiches, QuerySet):  # many (a whole dossier): selected by a subquery, not by ids
        fiches = fiches.filter(copiee=False).exclude(structure=None)
        vivantes = Structure.objects.filter(pk__in=fiches.values("structure_id"))
        instances = {}  # nobody holds them: plain rows, no copy parsed back into each
        a_copier = dict(fiches.values_list("structure_id", "pk"))
    else:
        instances = {f.structure_id: f for f in fiches if not f.copiee and f.structure_id}
        a_copier = {structure_id: f.pk for structure_id, f in instances.items()}
        vivantes = Structure.objects.filter(pk__in=list(a_copier))
    if not a_copier:
        return
    lignes = list(vivantes.order_by().values("pk", "niveau", "version"))
    copies = lire_fiches(lignes, vivantes)
    textes = []
    for ligne in lignes:
        textes.append(json.dumps(copies[ligne["pk"]], cls=DjangoJSONEncoder))
        fiche = instances.get(ligne["pk"])
        if fiche is not None:  # the caller's instance holds the copy too
            fiche.reference, fiche.donnees = json.loads(textes[-1]), json.loads(textes[-1])  # not the same lists
            fiche.version_copiee, fiche.copiee = ligne["version"], True
    # The copy is sent once per fiche, by COPY (a whole EJ: 13,431 JSON texts that a query's
    # parameters would have quoted into its text, seconds), and written to both columns.
    table = FicheBrouillon._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:  # the temporary table lives in a transaction
        cursor.execute("CREATE TEMP TABLE copies_de_fiches (id bigint, copie jsonb, version integer) ON COMMIT DROP")
        inserer_en_masse("copies_de_fiches", ["id", "copie", "version"],
                         ([a_copier[ligne["pk"]], texte, ligne["version"]] for ligne, texte in zip(lignes, textes)))
        cursor.execute(f"UPDATE {table} AS t SET reference = v.copie, donnees = v.copie, version_copiee = v.version, "
                       "copiee = true FROM copies_de_fiches AS v WHERE t.id = v.id")
        cursor.execute("DROP TABLE copies_de_fiches")


def donnees_de(fiche: FicheBrouillon) -> dict:
    """What the fiche holds in the dossier: its draft, or the live fiche while it is not copied."""
    if fiche.copiee or not fiche.structure_id:
        return fiche.donnees
    return lire_fiches([fiche.structure])[fiche.structure_id]


@transaction.atomic
def preparer_fiche(user, fiche: FicheBrouillon) -> FicheBrouillon:
    """The référent opens a fiche of the dossier to edit it: copied now if it was not."""
    _fiche_modifiable(user, fiche)
    copier_fiches([fiche])
    return fiche


@transaction.atomic
def enregistrer_fiche(user, fiche: FicheBrouillon, donnees: dict, *, finaliser: bool) -> FicheBrouillon:
    """"Enregistrer et mettre en attente" (grey) or "Enregistrer et finaliser" (green, required fields checked)."""
    _fiche_modifiable(user, fiche)
    copier_fiches([fiche])
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


def rattachements(dossier: DossierCollaboratif, niveaux=(Niveau.EG, Niveau.OI)) -> list:
    """Where something may be created in the dossier: its live fiches of these levels (tree
    order), then the fiches of these levels created in the dossier itself (not deleted)."""
    vivantes = list(Structure.objects.filter(niveau__in=niveaux).sous(dossier.structure, inclus=True).order_by("lft"))
    creees = list(dossier.fiches.filter(creation=True, a_supprimer=False, niveau__in=niveaux).order_by("id"))
    return vivantes + creees


def position_sous(dossier: DossierCollaboratif, parent) -> dict:
    """The fields of a fiche created under `parent` (a live fiche of the dossier, or a fiche
    created in it): its live parent or parent fiche, and its depth in the dossier."""
    if isinstance(parent, FicheBrouillon):
        if parent.dossier_id != dossier.pk or not parent.est_creation or parent.a_supprimer:
            raise ActionImpossible("Choisissez une fiche du dossier.")
        return {"parent": None, "parent_fiche": parent, "profondeur": parent.profondeur + 1}
    if not _dans_le_dossier(dossier, parent):
        raise ActionImpossible("Choisissez une entité géographique ou une organisation interne du dossier.")
    return {"parent": parent, "parent_fiche": None, "profondeur": parent.level - dossier.structure.level + 1}


@transaction.atomic
def creer_unites(user, dossier: DossierCollaboratif, parent, nombre: int, *, nom: str,
                 discipline: str, type_uo) -> list[FicheBrouillon]:
    """"Créer N unités opérationnelles" under an EG or OI of the dossier, live or created in it
    (type chosen by discipline)."""
    dossier = _prendre(user, dossier, access.REMPLIR, EtatDossier.BROUILLON)
    if not 1 <= nombre <= NOMBRE_MAX_UNITES:
        raise ActionImpossible(f"Indiquez un nombre d'unités entre 1 et {NOMBRE_MAX_UNITES}.")
    if parent.niveau not in (Niveau.EG, Niveau.OI):
        raise ActionImpossible("Choisissez une entité géographique ou une organisation interne du dossier.")
    position = position_sous(dossier, parent)
    if not type_convient(type_uo.code, discipline):
        raise ActionImpossible("Ce type d'UO ne correspond pas à la discipline choisie.")
    # left empty: a name in the guide's form for this type (the NOS label breaks the naming rules)
    nom = (nom or "").strip() or (exemple_unite(type_uo.pk) if discipline == Discipline.MSS else type_uo.libelle)
    creees = []
    for rang in range(1, nombre + 1):
        donnees = {"nom": nom if nombre == 1 else f"{nom} {rang}", "discipline": discipline, "type_uo": type_uo.pk}
        creees.append(FicheBrouillon.objects.create(
            dossier=dossier, creation=True, niveau=Niveau.UO, donnees=donnees, statut=StatutBrouillon.EN_ATTENTE,
            modifiee_par=user, modifiee_le=timezone.now(), **position))
    DossierCollaboratif.objects.filter(pk=dossier.pk).update(modifie_le=timezone.now())
    return creees


@transaction.atomic
def supprimer_unite(user, fiche: FicheBrouillon) -> None:
    """Mark a unit, an organisation interne or (in a dossier on its EJ) an establishment for
    deletion, once nothing remains under it; a fiche created in the dossier simply disappears."""
    dossier = _fiche_modifiable(user, fiche)
    copier_fiches([fiche])
    if fiche.niveau == Niveau.EJ or (fiche.niveau == Niveau.EG and dossier.structure.niveau != Niveau.EJ):
        raise ActionImpossible("Un établissement se supprime dans un dossier ouvert sur son entité juridique.")
    if fiche.niveau != Niveau.UO:
        dessous = (dossier.fiches.filter(parent_id=fiche.structure_id, a_supprimer=False) if fiche.structure_id
                   else dossier.fiches.filter(parent_fiche=fiche)).exclude(pk=fiche.pk)
        restantes = [f.nom for f in dessous]
        if restantes:
            raise ActionImpossible("Supprimez ou déplacez d'abord ce qui lui est rattaché.", restantes)
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
    copier_fiches([fiche])
    if not fiche.a_supprimer:
        raise ActionImpossible("Cette unité n'est pas marquée pour suppression.")
    fiche.a_supprimer = False
    fiche.statut = StatutBrouillon.INCHANGEE if fiche.donnees == fiche.reference else StatutBrouillon.EN_ATTENTE
    _toucher(fiche, user)


@transaction.atomic
def deplacer_unite(user, fiche: FicheBrouillon, nouveau_parent: Structure) -> FicheBrouillon:
    """Move a unit under another EG or OI of the same EJ."""
    dossier = _fiche_modifiable(user, fiche)
    copier_fiches([fiche])
    if fiche.niveau != Niveau.UO or fiche.a_supprimer:
        raise ActionImpossible("Seule une unité opérationnelle non supprimée se déplace.")
    ej = dossier.structure if dossier.structure.niveau == Niveau.EJ else dossier.structure.ej
    if nouveau_parent.niveau not in (Niveau.EG, Niveau.OI) or nouveau_parent.ej_id != ej.pk:
        raise ActionImpossible("Une unité se déplace sous une entité géographique ou une organisation interne "
                               "de la même entité juridique.")
    if not peut(user, OUVRIR_DOSSIER, nouveau_parent):
        raise PermissionDenied("Vous n'avez pas les droits sur la structure de destination.")
    fiche.parent = nouveau_parent
    fiche.parent_fiche = None  # a created unit moved under a live fiche
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
                    "Un dossier collaboratif attend votre validation de directeur."
                    + _message_de("Message du référent", commentaire), user)


@transaction.atomic
def valider(user, dossier: DossierCollaboratif, commentaire: str = "") -> None:
    dossier = _prendre(user, dossier, access.VALIDER, EtatDossier.VALIDATION_DIRECTEUR)
    _transition(dossier, user, "Validation du directeur", EtatDossier.VALIDATION_GESTIONNAIRE, commentaire)
    emails.notifier(dossier, gestionnaires(), "à publier",
                    "Un dossier collaboratif validé par son directeur attend sa publication."
                    + _message_de("Commentaire du directeur", commentaire), user)


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
    """What publication needs a choice for: a field both the dossier and the live Répertoire
    changed since the copy (differently), a fiche the dossier deletes but that was edited live."""
    return comparaison.conflits(list(dossier.fiches.select_related("structure")))


@transaction.atomic
def publier_dossier(user, dossier: DossierCollaboratif, choix: dict | None = None, motif: str = "") -> None:
    """Apply every change of the dossier to the live Répertoire, all or nothing.

    `choix` maps each conflict's key ("<fiche pk>:<field>", or ":__suppression__") to
    "dossier" or "repertoire"; with a conflict left unchosen, ConflitsDePublication is raised
    and nothing changes. Only what the dossier changed is written: fields changed live
    meanwhile and not by the dossier keep their live value. Publishing over naming warnings
    needs `motif`, kept in the dossier's timeline.
    """
    choix = choix or {}
    dossier = _prendre(user, dossier, access.PUBLIER, EtatDossier.VALIDATION_GESTIONNAIRE)
    # Neither the live fiches nor the drafts are read whole here (thousands for an EJ): what
    # each fiche changes comes from the database (comparaison.differences); the services read
    # by id what they write; creations are read whole.
    fiches = list(dossier.fiches.defer("donnees", "reference"))
    differences = comparaison.differences(dossier.pk)
    comparaison.lire_entieres([f for f in fiches if f.est_creation])
    vivantes = [f.structure_id for f in fiches if f.structure_id]
    list(Structure.objects.select_for_update().filter(offre.parmi(vivantes)).values_list("pk"))
    disparues = [f.nom for f in fiches if not f.est_creation and f.structure_id is None]
    if disparues:
        raise ActionImpossible("Des fiches du dossier ont disparu du Répertoire entre-temps.", disparues)
    a_choisir = comparaison.conflits(fiches, differences)
    if any(choix.get(c["cle"]) not in ("dossier", "repertoire") for c in a_choisir):
        raise ConflitsDePublication(a_choisir)
    garder_repertoire = {c["cle"] for c in a_choisir if choix[c["cle"]] == "repertoire"}
    averties = fiches_averties(fiches, differences)
    motif = (motif or "").strip()
    if averties and not motif:
        raise ActionImpossible("Des noms ne suivent pas les règles de nommage : indiquez pourquoi vous publiez "
                               "quand même.", [f.nom for f in averties])

    raison = dossier.reference
    modifications, a_ecrire = [], []
    for fiche in fiches:  # modifications of existing fiches: only the fields the dossier changed
        if fiche.est_creation or fiche.a_supprimer:
            continue
        noms = [n for n in comparaison.changes_par_le_dossier(fiche, champs_de(fiche.niveau), differences)
                if f"{fiche.pk}:{n}" not in garder_repertoire]
        if noms:
            changes = {n: differences[fiche.pk][n] for n in noms}
            scalaires, m2m = valeurs_pour_modele(fiche.niveau, changes)
            modifications.append((fiche.structure_id, scalaires, m2m))  # contacts alone: a new version too
            a_ecrire.append(parties_pour_service(fiche.niveau, changes))
    ecrites = offre.modifier_structures(user, modifications, raison=raison, statut_fiche=StatutFiche.STANDARD)
    for structure, parties in zip(ecrites, a_ecrire):  # contacts, responsable, planning: as an encadré writes them
        if parties:
            encadres.ecrire_parties(user, structure, parties, raison=raison)
    modifiees = {pk for pk, _, _ in modifications}
    offre.marquer_statut_fiche([pk for pk in vivantes if pk not in modifiees], StatutFiche.STANDARD)
    _creer(user, [f for f in fiches if f.est_creation], raison)
    for fiche in fiches:  # moves
        if fiche.est_deplacee and not fiche.a_supprimer:
            offre.deplacer_structure(user, fiche.structure, fiche.parent, raison=raison)
    for fiche in sorted(fiches, key=lambda f: -f.profondeur):  # deletions, last, the deepest first
        if fiche.a_supprimer and f"{fiche.pk}:{comparaison.SUPPRESSION}" not in garder_repertoire:
            offre.supprimer_structure(user, fiche.structure, raison=raison)
    notes = []
    if garder_repertoire:
        notes.append(f"{len(garder_repertoire)} conflit(s) réglé(s) en gardant le Répertoire")
    if averties:
        notes.append(f"Publié malgré les règles de nommage ({', '.join(f.nom for f in averties)}) : {motif}")
    _transition(dossier, user, "Publication", EtatDossier.PUBLIE, ". ".join(notes))
    emails.notifier(dossier, emails.referents(dossier) | titulaires(dossier.structure, DIRECTEUR),
                    "publié", "Le dossier a été publié : le Répertoire et la recherche montrent les changements.",
                    user)


def _creer(user, nouvelles: list[FicheBrouillon], raison: str) -> None:
    """Create the dossier's new fiches, by waves: those under a live fiche, then those under a
    fiche just created (the units of a new establishment), and so on."""
    creees = {}
    restantes = list(nouvelles)
    while restantes:
        vague = [f for f in restantes if f.parent_fiche_id is None or f.parent_fiche_id in creees]
        if not vague:
            raise ActionImpossible("Des fiches créées dans le dossier n'ont plus de rattachement.",
                                   [f.nom for f in restantes])
        for fiche in vague:
            if fiche.parent_fiche_id:
                fiche.parent = creees[fiche.parent_fiche_id]
        faites = offre.creer_structures(user, [(f.niveau, f.parent, *valeurs_pour_modele(f.niveau, f.donnees))
                                               for f in vague], raison=raison)
        for fiche, creee in zip(vague, faites):
            fiche.structure = creee
            creees[fiche.pk] = creee
            parties = parties_pour_service(fiche.niveau, fiche.donnees)
            if any(parties.values()):
                encadres.ecrire_parties(user, creee, parties, raison=raison)
        restantes = [f for f in restantes if f.pk not in creees]
    FicheBrouillon.objects.bulk_update(nouvelles, ["structure", "parent"])


def fiches_averties(fiches, differences: dict | None = None) -> list[FicheBrouillon]:
    """The fiches whose name the dossier changes (or creates) against the naming rules.
    `differences`: comparaison.differences of the dossier, when the fiches were read without their drafts."""
    averties, nommees = [], []
    for fiche in fiches:
        fiche.avertissements = []
        if fiche.a_supprimer or not comparaison.fiche_touchee(fiche):
            continue
        if not fiche.est_creation and not comparaison.changes_par_le_dossier(fiche, NOMMES, differences):
            continue
        nommees.append(fiche)
    comparaison.lire_entieres(nommees)
    for fiche in nommees:
        fiche.avertissements = avertissements(fiche.niveau, fiche.donnees)
        if fiche.avertissements:
            averties.append(fiche)
    return averties


def publier_ou_expliquer(user, dossier, choix=None, motif: str = "") -> None:
    """Publish; a model or database refusal becomes an ActionImpossible (the transaction rolled back)."""
    from django.db import DatabaseError

    try:
        publier_dossier(user, dossier, choix, motif)
    except ValidationError as erreur:
        raise ActionImpossible("La publication a échoué : rien n'a été modifié dans le Répertoire.",
                               erreur.messages) from erreur
    except DatabaseError as erreur:
        raise ActionImpossible("La publication a échoué (erreur de la base de données) : rien n'a été modifié "
                               "dans le Répertoire.", [str(erreur).splitlines()[0]]) from erreur
