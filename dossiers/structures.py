"""Establishments and organisations internes inside a dossier: create (after a look for a
likely duplicate), delete; and the FINESS authorisation check of what a dossier creates.

`avertissements_finess` is the one place that checks a dossier against the FINESS
authorisations the portal knows (imported with FINESS, read through
repertoire.autorisations): an establishment created without a FINESS number, a unit created
under an establishment that has none, and a unit whose activities need an authorisation its
establishment does not have in force are flagged to the directeur and the gestionnaire.
"""

import functools
import operator
from types import SimpleNamespace

from django.contrib.postgres.search import TrigramSimilarity
from django.db import transaction
from django.db.models import Case, IntegerField, Q, When
from django.utils import timezone

from nomenclatures.models import Commune, Concept
from repertoire.autorisations import ecarts_autorisations
from repertoire.models import Niveau, Structure

from . import access
from .brouillon import champs_differents
from .models import DossierCollaboratif, EtatDossier, FicheBrouillon, StatutBrouillon
from .services import ActionImpossible, _prendre, position_sous, rattachements

RAYON_DOUBLON_DEGRES = 0.05  # about 5 km around the commune: "similar name within a few km"


def doublons_probables(niveau: str, parent: Structure, donnees: dict, limite: int = 10) -> list[Structure]:
    """Live fiches the new one likely duplicates: same FINESS or SIRET, or same type with a
    similar name nearby (an EG: same category, within a few km; an OI: same parent)."""
    nom = (donnees.get("nom") or "").strip()
    if niveau == Niveau.EG:
        criteres = Q(pk__in=[])
        for champ in ("finess", "siret"):
            if donnees.get(champ):
                criteres |= Q(**{champ: donnees[champ]})
        if nom and donnees.get("categorie"):
            proches = Q(categorie_id=donnees["categorie"], nom__trigram_similar=nom)
            commune = Commune.objects.filter(pk=donnees.get("commune")).first() if donnees.get("commune") else None
            if commune and commune.latitude is not None:
                proches &= (Q(commune_id=commune.pk) | Q(
                    latitude__range=(commune.latitude - RAYON_DOUBLON_DEGRES, commune.latitude + RAYON_DOUBLON_DEGRES),
                    longitude__range=(commune.longitude - RAYON_DOUBLON_DEGRES,
                                      commune.longitude + RAYON_DOUBLON_DEGRES)))
            elif commune:
                proches &= Q(commune_id=commune.pk)
            criteres |= proches
        # the likeliest first: same FINESS or SIRET, then the closest name
        requete = Structure.objects.eg().ouvertes().filter(criteres).annotate(
            ressemblance=TrigramSimilarity("nom", nom or "-"))
        identifiants = [Q(**{champ: donnees[champ]}) for champ in ("finess", "siret") if donnees.get(champ)]
        if identifiants:
            requete = requete.annotate(identique=Case(When(functools.reduce(operator.or_, identifiants), then=1),
                                                      default=0, output_field=IntegerField()))
            return list(requete.order_by("-identique", "-ressemblance", "nom")[:limite])
        return list(requete.order_by("-ressemblance", "nom")[:limite])
    if niveau == Niveau.OI and nom and isinstance(parent, Structure):
        return list(Structure.objects.filter(niveau=Niveau.OI, parent=parent).filter(
            Q(nom__trigram_similar=nom) | Q(nom__iexact=nom)).order_by("nom")[:limite])
    return []


class DoublonProbable(Exception):
    def __init__(self, doublons: list[Structure]):
        self.doublons = doublons
        super().__init__(f"{len(doublons)} fiche(s) ressemblent à celle que vous créez.")


def parents_possibles(dossier: DossierCollaboratif, niveau: str | None = None) -> list:
    """Where an EG (under the dossier's EJ) or an OI (under an EG or OI of the dossier, live or
    created in it) may be created; without `niveau`, both."""
    racine = dossier.structure
    eg = [racine] if racine.niveau == Niveau.EJ and niveau in (None, Niveau.EG) else []
    return eg + (rattachements(dossier) if niveau in (None, Niveau.OI) else [])


@transaction.atomic
def creer_structure(user, dossier: DossierCollaboratif, niveau: str, parent, donnees: dict, *,
                    malgre_doublons: bool = False) -> FicheBrouillon:
    """Create an establishment (dossier on an EJ) or an organisation interne in the dossier.
    Raises DoublonProbable first when live fiches look like it, unless `malgre_doublons`."""
    dossier = _prendre(user, dossier, access.REMPLIR, EtatDossier.BROUILLON)
    if niveau not in (Niveau.EG, Niveau.OI):
        raise ActionImpossible("Seuls un établissement ou une organisation interne se créent ici.")
    if parent not in parents_possibles(dossier, niveau):
        raise ActionImpossible("Un établissement se crée dans un dossier ouvert sur son entité juridique ; une "
                               "organisation interne sous une entité géographique ou organisation interne du dossier.")
    donnees = {nom: valeur for nom, valeur in donnees.items() if valeur not in (None, "", [])}
    if not donnees.get("nom"):
        raise ActionImpossible("Indiquez le nom de la structure à créer.")
    if not malgre_doublons:
        doublons = doublons_probables(niveau, parent, donnees)
        if doublons:
            raise DoublonProbable(doublons)
    fiche = FicheBrouillon.objects.create(
        dossier=dossier, creation=True, niveau=niveau, donnees=donnees, statut=StatutBrouillon.EN_ATTENTE,
        modifiee_par=user, modifiee_le=timezone.now(), **position_sous(dossier, parent))
    DossierCollaboratif.objects.filter(pk=dossier.pk).update(modifie_le=timezone.now())
    return fiche


def _eg_de(fiche, fiches: dict, parents: dict):
    """The establishment a fiche of the dossier belongs to: a live EG, or the fiche of an EG
    created in the dossier (read as {"nom", "finess"}); None when there is none."""
    while fiche.parent_fiche_id:
        fiche = fiches.get(fiche.parent_fiche_id) or fiche.parent_fiche
        if fiche.niveau == Niveau.EG:
            return SimpleNamespace(nom=fiche.nom, finess=fiche.donnees.get("finess") or "")
    parent = parents.get(fiche.parent_id)
    if parent is None:
        return None
    return parent if parent.niveau == Niveau.EG else parents.get(parent.eg_id)


def avertissements_finess(fiches) -> None:
    """Set `fiche.avertissements_finess` on the fiches a dossier creates, and on the units whose
    activities it changes: an establishment without FINESS number, a unit of an establishment
    without one, a unit offering a regulated activity no FINESS authorisation of its
    establishment in force allows (repertoire.autorisations, the one check of it)."""
    fiches = list(fiches)
    par_pk = {f.pk: f for f in fiches}
    a_verifier = [f for f in fiches if not f.a_supprimer and (
        f.est_creation or (f.niveau == Niveau.UO and champs_differents(f.reference, f.donnees, ["activites"])))]
    ids = {f.parent_id for f in a_verifier if f.parent_id}
    parents = {s.pk: s for s in Structure.objects.filter(pk__in=ids).only("pk", "niveau", "eg_id", "nom", "finess")}
    parents |= {s.pk: s for s in Structure.objects.filter(pk__in={p.eg_id for p in parents.values() if p.eg_id})
                .only("pk", "niveau", "eg_id", "nom", "finess")}
    codes = dict(Concept.objects.filter(pk__in={a for f in a_verifier for a in f.donnees.get("activites") or []})
                 .values_list("pk", "code"))
    for fiche in fiches:
        fiche.avertissements_finess = []
    for fiche in a_verifier:
        if fiche.niveau == Niveau.EG and not fiche.donnees.get("finess"):
            fiche.avertissements_finess.append(
                "Aucun numéro FINESS : un établissement se crée dans le respect de ses autorisations FINESS "
                "(vérifiez-les auprès de l'ARS).")
        elif fiche.niveau == Niveau.UO:
            eg = _eg_de(fiche, par_pk, parents)
            if eg is None or not eg.finess:
                if fiche.est_creation:
                    fiche.avertissements_finess.append(
                        "L'établissement n'a pas de numéro FINESS connu : aucune autorisation FINESS ne couvre "
                        "cette unité.")
                continue
            fiche.avertissements_finess += ecarts_autorisations(
                eg, [codes[a] for a in fiche.donnees.get("activites") or [] if a in codes])
