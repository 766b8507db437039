"""Every write to the offer goes through a function here: one per user action,
inside a transaction, recording who did it (history user + reason).

Feature apps (dossiers, imports, disponibilités…) change the offer only through
these functions.
"""

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from nomenclatures.models import verifier_jeu
from socle.audit import Action, journaliser
from socle.ecriture import inserer_en_masse

from .access import (LIRE, MODIFIER, destinataires_anomalie, exiger, exiger_traitement_anomalie,
                     oublier_droits)
from .encadres import encadre_de
from .notifications import notifier_anomalie, notifier_reponse
from .models import (PARENTS_AUTORISES, Contact, Favori, Horaire, Niveau, PieceJointe, SignalementAnomalie,
                     Structure)
from .signals import offre_modifiee_en_masse

# Fields that are never written through the generic functions below.
CHAMPS_TECHNIQUES = {"id", "lft", "rght", "tree_id", "level", "parent", "niveau", "ej", "eg", "version",
                     "cree_le", "modifie_le"}


class ConflitDeVersion(Exception):
    """Someone else saved the fiche since it was read: nothing was written."""

    def __init__(self, structure: Structure, version_lue: int, changements: list[dict]):
        self.structure = structure
        self.version_lue = version_lue
        self.changements = changements  # [{"champ", "libelle", "avant", "apres", "par", "le"}]
        super().__init__(f"La fiche « {structure.nom} » a été modifiée entre-temps.")


def enregistrer(structure: Structure, user, raison: str, m2m: dict | None = None) -> Structure:
    """Save a structure and its many-to-many values as ONE history record.

    `m2m` maps a many-to-many field name to its new list of values. The version
    is bumped so that concurrent editors can detect a change (no lost update).
    Call it inside a transaction (the public functions below do).
    """
    structure._history_user = user
    structure._change_reason = raison
    structure.modifie_le = timezone.now()
    if structure.pk:
        structure.version = (structure.version or 0) + 1
    if m2m:
        for nom, valeurs in m2m.items():
            jeu = getattr(Structure._meta.get_field(nom), "jeu", None)
            if jeu:
                verifier_jeu(valeurs, jeu)
        if not structure.pk:
            structure.skip_history_when_saving = True
            structure.save()
        structure.skip_history_when_saving = True
        try:
            for field, values in m2m.items():
                getattr(structure, field).set(values)
        finally:
            del structure.skip_history_when_saving
    structure.save()
    return structure


def changements_depuis(structure: Structure, version_lue: int) -> list[dict]:
    """What others changed on this fiche since `version_lue` (from its history)."""
    historiques = list(structure.history.filter(version__gte=version_lue).order_by("history_date"))
    changements = []
    for precedent, suivant in zip(historiques, historiques[1:]):
        for change in suivant.diff_against(precedent).changes:
            if change.field in {"version", "modifie_le"}:
                continue
            champ = Structure._meta.get_field(change.field)
            changements.append({
                "champ": change.field, "libelle": str(champ.verbose_name), "avant": change.old, "apres": change.new,
                "par": suivant.history_user, "le": suivant.history_date,
            })
    return changements


def _verrouiller(structure: Structure, version_attendue: int | None) -> Structure:
    """Lock the row; refuse if its version moved since the user read it."""
    actuelle = Structure.objects.select_for_update().get(pk=structure.pk)
    if version_attendue is not None and actuelle.version != version_attendue:
        raise ConflitDeVersion(actuelle, version_attendue, changements_depuis(actuelle, version_attendue))
    return actuelle


@transaction.atomic
def creer_structure(user, niveau: str, parent: Structure | None, *, raison: str = "Création",
                    m2m: dict | None = None, **champs) -> Structure:
    structure = Structure(niveau=niveau, parent=parent, **champs)
    structure.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(structure, user, raison, m2m)


@transaction.atomic
def modifier_structure(user, structure: Structure, champs: dict, *, m2m: dict | None = None, raison: str,
                       version_attendue: int | None = None) -> Structure:
    """Change fields (and many-to-many values) of one fiche, as one history record.

    With `version_attendue`, raises ConflitDeVersion if the fiche changed since it was read.
    Raises ValidationError (nothing written) on invalid values. Access rights are the
    caller's business (repertoire.access).
    """
    interdits = set(champs) & CHAMPS_TECHNIQUES
    if interdits:
        raise ValueError(f"Champs non modifiables ici : {sorted(interdits)}")
    actuelle = _verrouiller(structure, version_attendue)
    for nom, valeur in champs.items():
        setattr(actuelle, nom, valeur)
    actuelle.full_clean(exclude=["parent", "ej", "eg", "lft", "rght", "tree_id", "level"], validate_unique=False)
    return enregistrer(actuelle, user, raison, m2m)


@transaction.atomic
def deplacer_structure(user, structure: Structure, nouveau_parent: Structure, *, raison: str) -> Structure:
    """Move a fiche (and its subtree) under another parent of the same EJ."""
    actuelle = _verrouiller(structure, None)
    if nouveau_parent.niveau not in PARENTS_AUTORISES[actuelle.niveau]:
        raise ValidationError("Ce niveau ne peut pas être placé sous ce parent.")
    ej_cible = nouveau_parent if nouveau_parent.niveau == Niveau.EJ else nouveau_parent.ej
    if actuelle.niveau != Niveau.EG and ej_cible.pk != actuelle.ej_id:
        raise ValidationError("Une unité ne peut être déplacée que dans la même entité juridique.")
    if nouveau_parent.is_descendant_of(actuelle, include_self=True):
        raise ValidationError("Une structure ne peut pas être placée sous elle-même.")
    actuelle.move_to(nouveau_parent, "last-child")
    actuelle.refresh_from_db()
    actuelle.parent = nouveau_parent
    enregistrer(actuelle, user, raison)
    # The denormalised ancestors of the subtree follow.
    for descendant in actuelle.get_descendants():
        descendant._set_ancetres()
        Structure.objects.filter(pk=descendant.pk).update(ej=descendant.ej_id, eg=descendant.eg_id)
    return actuelle


@transaction.atomic
def supprimer_structure(user, structure: Structure, *, raison: str) -> None:
    """Remove a fiche that has no children; its history keeps it."""
    actuelle = _verrouiller(structure, None)
    if actuelle.get_children().exists():
        raise ValidationError("Supprimez ou déplacez d'abord les unités rattachées.")
    actuelle._history_user = user
    actuelle._change_reason = raison
    actuelle.delete()


@transaction.atomic
def fermer_structure(user, structure: Structure, *, raison: str, date=None) -> Structure:
    return modifier_structure(user, structure, {"etat": "ferme", "date_fermeture": date or timezone.localdate()},
                              raison=raison)


@transaction.atomic
def rouvrir_structure(user, structure: Structure, *, raison: str) -> Structure:
    return modifier_structure(user, structure, {"etat": "ouvert", "date_fermeture": None}, raison=raison)


@transaction.atomic
def accorder_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:
    """Give `utilisateur` the right `codename` (referent, directeur, saisie_lits) on a structure and below."""
    assign_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, Action.DROIT_ACCORDE, cible=f"user:{utilisateur.pk}",
                details={"droit": codename, "structure": structure.pk})


@transaction.atomic
def retirer_droit(acteur, utilisateur, codename: str, structure: Structure) -> None:
    remove_perm(f"repertoire.{codename}", utilisateur, structure)
    oublier_droits(utilisateur)
    journaliser(acteur, Action.DROIT_RETIRE, cible=f"user:{utilisateur.pk}",
                details={"droit": codename, "structure": structure.pk})


# -- Répertoire: operational data, one encadré at a time ---------------------------------

def _encadre_modifiable(structure: Structure, cle: str):
    encadre = encadre_de(structure.niveau, cle)
    if encadre is None or not encadre.modifiable:
        raise ValueError(f"Encadré inconnu ou non modifiable : {cle}")
    return encadre


def _historiser(objet, user, raison: str):
    objet._history_user = user
    objet._change_reason = raison
    return objet


def _synchroniser_contacts(structure: Structure, lignes: list[dict], user, raison: str) -> None:
    """Make the structure's contacts (other than its responsable) match `lignes`, touching only what changed."""
    existants = {c.pk: c for c in structure.contacts.filter(est_responsable=False)}
    gardes = set()
    for ligne in lignes:
        valeurs = {k: ligne.get(k, "") for k in ("libelle", "telephone", "email")}
        contact = existants.get(ligne.get("id"))
        if contact is None:
            contact = Contact(structure=structure, **valeurs)
        elif all(getattr(contact, k) == v for k, v in valeurs.items()):
            gardes.add(contact.pk)
            continue
        else:
            for k, v in valeurs.items():
                setattr(contact, k, v)
        contact.full_clean()
        _historiser(contact, user, raison).save()
        gardes.add(contact.pk)
    for pk, contact in existants.items():
        if pk not in gardes:
            _historiser(contact, user, raison).delete()


def _enregistrer_responsable(structure: Structure, valeurs: dict | None, user, raison: str) -> None:
    responsable = structure.contacts.filter(est_responsable=True).first()
    if not valeurs or not any(valeurs.values()):
        if responsable:
            _historiser(responsable, user, raison).delete()
        return
    responsable = responsable or Contact(structure=structure, est_responsable=True)
    if responsable.pk and all(getattr(responsable, k) == v for k, v in valeurs.items()):
        return
    for k, v in valeurs.items():
        setattr(responsable, k, v)
    responsable.full_clean()
    _historiser(responsable, user, raison).save()


def _remplacer_horaires(structure: Structure, creneaux: list[tuple], user, raison: str) -> None:
    """Make the planning match `creneaux` [(jour, debut, fin)], keeping unchanged slots (a readable history)."""
    voulus = set(creneaux)
    for horaire in structure.horaires.all():
        cle = (horaire.jour, horaire.debut, horaire.fin)
        if cle in voulus:
            voulus.discard(cle)
        else:
            _historiser(horaire, user, raison).delete()
    for jour, debut, fin in sorted(voulus):
        horaire = Horaire(structure=structure, jour=jour, debut=debut, fin=fin)
        horaire.full_clean()
        _historiser(horaire, user, raison).save()


def _pieces_jointes(structure: Structure, ajouts: list[tuple], retraits: list[int], user) -> None:
    for titre, fichier in ajouts:
        PieceJointe.objects.create(structure=structure, titre=titre, fichier=fichier, ajoutee_par=user)
    if retraits:
        structure.pieces_jointes.filter(pk__in=retraits).delete()


@transaction.atomic
def modifier_encadre(user, structure: Structure, cle: str, donnees: dict, *, version_attendue: int) -> Structure:
    """A référent (or gestionnaire) publishes the operational data of ONE encadré of a fiche.

    Refused (PermissionDenied) for anyone without the right; raises ConflitDeVersion,
    writing nothing, if the fiche was saved by someone else since `version_attendue`.
    The encadré's title is the history's change reason.
    """
    exiger(user, MODIFIER, structure)
    encadre = _encadre_modifiable(structure, cle)
    actuelle = _verrouiller(structure, version_attendue)
    champs = {k: donnees[k] for k in encadre.champs if k in donnees}
    commune = champs.get("commune")
    if commune and commune.pk != actuelle.commune_id:  # moved: follow the commune
        champs.update(departement=commune.departement, latitude=commune.latitude, longitude=commune.longitude)
    m2m = {k: list(donnees[k]) for k in encadre.m2m if k in donnees}
    for nom, valeurs in m2m.items():
        jeu = getattr(Structure._meta.get_field(nom), "jeu", None)
        if jeu:
            verifier_jeu(valeurs, jeu)
    if "contacts" in donnees and "contacts" in encadre.special:
        _synchroniser_contacts(actuelle, donnees["contacts"], user, encadre.titre)
    if "responsable" in donnees and "responsable" in encadre.special:
        _enregistrer_responsable(actuelle, donnees["responsable"], user, encadre.titre)
    if "horaires" in donnees and "planning" in encadre.special:
        _remplacer_horaires(actuelle, donnees["horaires"], user, encadre.titre)
    if "pieces" in encadre.special:
        _pieces_jointes(actuelle, donnees.get("pieces_ajout", []), donnees.get("pieces_retrait", []), user)
    return modifier_structure(user, actuelle, champs, m2m=m2m, raison=encadre.titre,
                              version_attendue=version_attendue)


@transaction.atomic
def confirmer_verification(user, structure: Structure) -> Structure:
    """"J'ai vérifié mes données": the structure confirms its fiche is current (yearly legal obligation)."""
    exiger(user, MODIFIER, structure)
    return modifier_structure(user, structure, {"date_verification": timezone.now(), "verifie_par": user,
                                                "pre_peuplee": False}, raison="Vérification des données")


def ajouter_favori(user, structure: Structure) -> None:
    Favori.objects.get_or_create(user=user, structure=structure)


def retirer_favori(user, structure: Structure) -> None:
    Favori.objects.filter(user=user, structure=structure).delete()


@transaction.atomic
def signaler_anomalie(user, structure: Structure, description: str) -> SignalementAnomalie:
    """Any reader reports an error on a fiche; its référents and the gestionnaires are told by e-mail."""
    exiger(user, LIRE, structure)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": "Décrivez ce qui est erroné."})
    anomalie = SignalementAnomalie.objects.create(structure=structure, auteur=user, description=description)
    destinataires = [u.email for u in destinataires_anomalie(structure) if u.email]
    transaction.on_commit(lambda: notifier_anomalie(anomalie, destinataires))
    journaliser(user, Action.ANOMALIE_SIGNALEE, cible=f"structure:{structure.pk}", details={"anomalie": anomalie.pk})
    return anomalie


@transaction.atomic
def traiter_anomalie(user, anomalie: SignalementAnomalie, reponse: str) -> SignalementAnomalie:
    """A référent of the structure (or a gestionnaire) marks a report treated, with a reply to its author."""
    anomalie = SignalementAnomalie.objects.select_for_update().get(pk=anomalie.pk)
    exiger_traitement_anomalie(user, anomalie)
    reponse = (reponse or "").strip()
    if not reponse:
        raise ValidationError({"reponse": "Rédigez une réponse pour l'auteur du signalement."})
    anomalie.reponse, anomalie.traitee_le, anomalie.traitee_par = reponse, timezone.now(), user
    anomalie.save()
    if anomalie.auteur and anomalie.auteur.email:
        transaction.on_commit(lambda: notifier_reponse(anomalie))
    journaliser(user, Action.ANOMALIE_TRAITEE, cible=f"structure:{anomalie.structure_id}", details={"anomalie": anomalie.pk})
    return anomalie


@transaction.atomic
def marquer_statut_fiche(structures, statut: str) -> int:
    """Set the Répertoire pictogram of fiches (a dossier collaboratif works on them).

    A pictogram is not offer data: no history record and no version bump, so an
    operational edit made meanwhile is not taken for a conflict.
    """
    ids = [s.pk if isinstance(s, Structure) else s for s in structures]
    return Structure.objects.filter(pk__in=ids).update(statut_fiche=statut)


# -- FINESS ------------------------------------------------------------------------

# The identity fields FINESS is the authority for: an import writes these and nothing else
# on an existing EG (never the UOs, contacts or offer the structures describe).
CHAMPS_FINESS_EG = (
    "nom", "nom_officiel", "numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit", "code_postal",
    "commune", "departement", "telephone", "fax", "categorie", "siret", "date_ouverture", "latitude", "longitude",
    "etat", "date_fermeture",
)
_LOT = 2000


def _attname(champ: str) -> str:
    return Structure._meta.get_field(champ).attname


def _creer_avec_historique(lignes: list[dict], user, raison: str, date) -> None:
    """New structures (with their ids) by COPY, then their "+" history rows copied server-side."""
    inserer_en_masse(Structure, [f.attname for f in Structure._meta.concrete_fields], lignes)
    historique = Structure.history.model
    colonnes = [f.column for f in historique._meta.concrete_fields if not f.attname.startswith("history_")]
    liste = ", ".join(colonnes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {historique._meta.db_table} ({liste}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT {liste}, %s, %s, '+', %s FROM {Structure._meta.db_table} WHERE id = ANY(%s)",
            [date, raison, getattr(user, "pk", None), [ligne["id"] for ligne in lignes]])


def _allouer_ids(n: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Structure._meta.db_table, n])
        return [r[0] for r in cursor.fetchall()]


@transaction.atomic
def appliquer_import_finess(user, raison: str, *, nouvelles_ej: list[dict], nouveaux_eg: list[dict],
                            modifications: dict[int, dict], rattachements: dict[int, str] | None = None,
                            progres=None) -> dict[str, int]:
    """Apply one FINESS import in bulk, atomically, with history rows for every EJ/EG/UO
    created and every EG changed (history user `user`, reason `raison`).

    - `nouvelles_ej`: [{"finess", "nom", ...}]: new EJ, each the root of a new tree.
    - `nouveaux_eg`: [{"finess", "ej_finess", <EG fields by attname>, "uos": [<UO fields>]}]: new EG
      under their EJ (new or existing), with the UOs proposed for them (marked pré-peuplées).
    - `modifications`: {EG pk: {field: value}}, fields of CHAMPS_FINESS_EG only.
    - `rattachements`: {EG pk: EJ finess}: EG that FINESS now attaches to another EJ.
    Rows are created with COPY (103,000 EG in well under a minute); the MPTT numbering of
    new trees is computed here, trees that receive an EG are rebuilt. Returns {finess: pk}
    of the EJ and EG created.
    """
    from simple_history.utils import bulk_update_with_history

    for champs in modifications.values():
        interdits = set(champs) - set(CHAMPS_FINESS_EG)
        if interdits:
            raise ValueError(f"Champs hors FINESS : {sorted(interdits)}")
    maintenant = timezone.now()
    historique = {"default_user": user, "default_change_reason": raison, "default_date": maintenant}
    progres = progres or (lambda fraction, etape: None)
    crees: dict[str, int] = {}
    commun = {"cree_le": maintenant, "modifie_le": maintenant, "version": 1}

    ej_existantes = dict(Structure.objects.filter(niveau=Niveau.EJ, finess__in={e["ej_finess"] for e in nouveaux_eg})
                         .values_list("finess", "pk"))
    eg_par_ej: dict[str, list[dict]] = {}
    for eg in nouveaux_eg:
        eg_par_ej.setdefault(eg["ej_finess"], []).append(eg)

    def sous_arbre(eg: dict, ej_id: int, tree_id: int, gauche: int, ids) -> list[dict]:
        """An EG and its proposed UOs, numbered from `gauche` (0 = numbered later by a rebuild)."""
        uos = sorted(eg["uos"], key=lambda u: u["nom"])
        ligne_eg = {k: v for k, v in eg.items() if k not in {"uos", "ej_finess"}}
        ligne_eg.update(commun, id=next(ids), niveau=Niveau.EG, parent_id=ej_id, ej_id=ej_id, eg_id=None,
                        tree_id=tree_id, level=1, lft=gauche, rght=gauche and gauche + 1 + 2 * len(uos))
        crees[eg["finess"]] = ligne_eg["id"]
        lignes = [ligne_eg]
        for i, uo in enumerate(uos):
            lignes.append({**uo, **commun, "id": next(ids), "niveau": Niveau.UO, "parent_id": ligne_eg["id"],
                           "ej_id": ej_id, "eg_id": ligne_eg["id"], "pre_peuplee": True,
                           "departement_id": eg.get("departement_id"), "tree_id": tree_id, "level": 2,
                           "lft": gauche and gauche + 1 + 2 * i, "rght": gauche and gauche + 2 + 2 * i})
        return lignes

    def taille(eg):
        return 1 + len(eg["uos"])

    # 1. New EJ: each a new tree numbered here (EJ, then its EG by name, each with its UO).
    if nouvelles_ej:
        with connection.cursor() as cursor:  # stable tree numbers while we allocate them
            cursor.execute(f"LOCK TABLE {Structure._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        tree_id = (Structure.objects.aggregate(m=models.Max("tree_id"))["m"] or 0) + 1
        nouvelles_ej = sorted(nouvelles_ej, key=lambda e: e["finess"])
        for debut in range(0, len(nouvelles_ej), _LOT):
            lot = nouvelles_ej[debut:debut + _LOT]
            n = sum(1 + sum(taille(eg) for eg in eg_par_ej.get(e["finess"], [])) for e in lot)
            ids = iter(_allouer_ids(n))
            lignes = []
            for champs_ej in lot:
                enfants = sorted(eg_par_ej.get(champs_ej["finess"], []), key=lambda e: e["nom"])
                ligne_ej = {**champs_ej, **commun, "id": next(ids), "niveau": Niveau.EJ, "tree_id": tree_id,
                            "level": 0, "lft": 1, "rght": 2 + 2 * sum(taille(eg) for eg in enfants)}
                crees[champs_ej["finess"]] = ligne_ej["id"]
                lignes.append(ligne_ej)
                gauche = 2
                for eg in enfants:
                    lignes += sous_arbre(eg, ligne_ej["id"], tree_id, gauche, ids)
                    gauche += 2 * taille(eg)
                tree_id += 1
            _creer_avec_historique(lignes, user, raison, maintenant)
            progres((debut + len(lot)) / len(nouvelles_ej) * 0.8, f"Création des structures : {debut + len(lot)} "
                                                                    f"entités juridiques sur {len(nouvelles_ej)}")

    # 2. New EG under an existing EJ: inserted, then their trees rebuilt.
    arbres = set()
    for ej_finess, egs in eg_par_ej.items():
        if ej_finess in ej_existantes:
            ej = Structure.objects.get(pk=ej_existantes[ej_finess])
            ids = iter(_allouer_ids(sum(taille(eg) for eg in egs)))
            _creer_avec_historique([ligne for eg in egs for ligne in sous_arbre(eg, ej.pk, ej.tree_id, 0, ids)],
                                   user, raison, maintenant)
            arbres.add(ej.tree_id)
    for tree_id in sorted(arbres):
        Structure.objects.partial_rebuild(tree_id)

    # 3. EG that FINESS attaches to another EJ (rare): moved with their subtree.
    for eg_pk, ej_finess in (rattachements or {}).items():
        ej = Structure.objects.get(niveau=Niveau.EJ, finess=ej_finess)
        deplacer_structure(user, Structure.objects.get(pk=eg_pk), ej, raison=raison)

    # 4. Changed EG: FINESS fields only, one history row each.
    pks = list(modifications)
    for debut in range(0, len(pks), _LOT):
        lot = Structure.objects.in_bulk(pks[debut:debut + _LOT])
        champs_touches = set()
        for pk, s in lot.items():
            for champ, valeur in modifications[pk].items():
                setattr(s, _attname(champ), valeur)
                champs_touches.add(champ)
            s.version = (s.version or 0) + 1
            s.modifie_le = maintenant
        bulk_update_with_history(list(lot.values()), Structure, sorted(champs_touches) + ["version", "modifie_le"],
                                 batch_size=500, **historique)
        progres(0.8 + 0.2 * (debut + len(lot)) / len(pks), f"Mise à jour : {debut + len(lot)} établissements "
                                                             f"sur {len(pks)}")
    finess_eg = {eg["finess"] for eg in nouveaux_eg}
    eg_ids = [pk for finess, pk in crees.items() if finess in finess_eg]
    offre_modifiee_en_masse.send(sender=Structure, eg_ids=eg_ids + list(modifications) + list(rattachements or {}))
    return crees
