"""A référent (or gestionnaire) publishes the operational data of a fiche, one encadré at a time."""

from django.db import transaction
from django.utils import timezone

from socle.fichiers import supprimer_apres_commit

from ..access import MODIFIER, exiger
from ..encadres import encadre_de
from ..models import Contact, Horaire, PieceJointe, Structure
from .offre import modifier_structure, verifier_m2m, verrouiller


def _encadre_modifiable(structure: Structure, cle: str):
    encadre = encadre_de(structure.niveau, cle)
    if encadre is None or not encadre.modifiable:
        raise ValueError(f"Encadré inconnu ou non modifiable : {cle}")
    return encadre


def _historiser(objet, user, raison: str):
    objet._history_user = user
    objet._change_reason = raison
    return objet


def _enregistrer_contact(contact: Contact, valeurs: dict, user, raison: str) -> None:
    """Save a new contact, or the values of a live one that changed. The history record of a
    change carries the values before (`changements`), as a fiche's does: a contact loaded in
    bulk (reprise, demo) has no record to compare with, and would read as new in the Historique."""
    changes = [k for k, v in valeurs.items() if getattr(contact, k) != v]
    if contact.pk and not changes:
        return
    if contact.pk:
        contact._changements_historises = {"champs": {
            k: Contact._meta.get_field(k).value_from_object(contact) for k in changes}}
    for k in changes:
        setattr(contact, k, valeurs[k])
    contact.full_clean()
    _historiser(contact, user, raison).save()
    contact.__dict__.pop("_changements_historises", None)


def _synchroniser_contacts(structure: Structure, lignes: list[dict], user, raison: str) -> None:
    """Make the structure's contacts (other than its responsable) match `lignes`, touching only
    what changed: a contact kept (same id) is updated in place, never deleted and recreated."""
    existants = {c.pk: c for c in structure.contacts.filter(est_responsable=False)}
    gardes = set()
    for ligne in lignes:
        contact = existants.get(ligne.get("id")) or Contact(structure=structure)
        _enregistrer_contact(contact, {k: ligne.get(k, "") for k in ("libelle", "telephone", "email")}, user, raison)
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
    _enregistrer_contact(responsable or Contact(structure=structure, est_responsable=True), valeurs, user, raison)


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
        retirees = structure.pieces_jointes.filter(pk__in=retraits)
        supprimer_apres_commit(*retirees.values_list("fichier", flat=True))
        retirees.delete()


# The parts of a fiche that are rows of their own (contacts, responsable, planning), by the
# key their data comes under → the encadré's special part that edits them.
PARTIES = {"contacts": "contacts", "responsable": "responsable", "horaires": "planning"}


def ecrire_parties(user, structure: Structure, parties: dict, *, raison: str) -> None:
    """Write the contacts, the responsable and the planning of a fiche, touching only what
    changed, each change in the history with `raison`. The encadrés and the dossier
    collaboratif's publication both write them here.

    `parties`: {"contacts": [{"id", "libelle", "telephone", "email"}], "responsable":
    {civilite, titre, prenom, nom, email, telephone} or None, "horaires": [(jour, debut, fin)]},
    each key optional (absent: left as it is)."""
    if "contacts" in parties:
        _synchroniser_contacts(structure, parties["contacts"], user, raison)
    if "responsable" in parties:
        _enregistrer_responsable(structure, parties["responsable"], user, raison)
    if "horaires" in parties:
        _remplacer_horaires(structure, parties["horaires"], user, raison)


@transaction.atomic
def modifier_encadre(user, structure: Structure, cle: str, donnees: dict, *, version_attendue: int) -> Structure:
    """A référent (or gestionnaire) publishes the operational data of ONE encadré of a fiche.

    Refused (PermissionDenied) for anyone without the right; raises ConflitDeVersion,
    writing nothing, if the fiche was saved by someone else since `version_attendue`.
    The encadré's title is the history's change reason.
    """
    exiger(user, MODIFIER, structure)
    encadre = _encadre_modifiable(structure, cle)
    actuelle = verrouiller(structure, version_attendue)
    champs = {k: donnees[k] for k in encadre.champs if k in donnees}
    commune = champs.get("commune")
    if commune and commune.pk != actuelle.commune_id:  # moved: follow the commune
        champs.update(departement=commune.departement, latitude=commune.latitude, longitude=commune.longitude)
    m2m = {k: list(donnees[k]) for k in encadre.m2m if k in donnees}
    verifier_m2m(m2m)  # before any attachment reaches the storage
    parties = {cle: donnees[cle] for cle, special in PARTIES.items() if cle in donnees and special in encadre.special}
    ecrire_parties(user, actuelle, parties, raison=encadre.titre)
    if "pieces" in encadre.special:
        _pieces_jointes(actuelle, donnees.get("pieces_ajout", []), donnees.get("pieces_retrait", []), user)
    ancienne_photo = actuelle.photo.name
    structure = modifier_structure(user, actuelle, champs, m2m=m2m, raison=encadre.titre,
                                   version_attendue=version_attendue)
    if "photo" in champs and ancienne_photo != structure.photo.name:  # replaced or removed
        supprimer_apres_commit(ancienne_photo)
    return structure


@transaction.atomic
def confirmer_verification(user, structure: Structure, *, raison: str = "Vérification des données") -> Structure:
    """"J'ai vérifié mes données": the structure confirms its fiche is current (yearly legal obligation).
    It counts as an update for the ANS freshness requirement RE1.2 (date_verification)."""
    exiger(user, MODIFIER, structure)
    return modifier_structure(user, structure, {"date_verification": timezone.now(), "verifie_par": user,
                                                "pre_peuplee": False}, raison=raison)
