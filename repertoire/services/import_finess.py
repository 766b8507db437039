"""The FINESS import in bulk: COPY, MPTT numbering of new trees, one history row per change."""

import json

from django.db import connection, models, transaction
from psycopg.types.json import Jsonb
from django.utils import timezone

from socle.ecriture import chargement_massif, inserer_en_masse

from nomenclatures.cache import concept_id
from nomenclatures.models import Commune, Concept, Departement

from .. import schema
from ..models import AutorisationFiness, EntiteFiness, EtablissementFiness, Niveau, Structure
from ..signals import offre_modifiee_en_masse
from ..version import changer_version_offre
from .offre import deplacer_structure

# The identity fields FINESS is the authority for: an import writes these and nothing else
# on an existing EG (never the UOs, contacts or offer the structures describe).
CHAMPS_FINESS_EG = schema.champs_finess()
_LOT = 2000
PEU = 20_000  # fewer values than this: an IN list, else the whole table read and filtered here


def restreint(requete, champ: str, valeurs):
    """`requete` limited to the rows whose `champ` is among `valeurs` when they are few (an
    unchanged re-import reads a few elements), else whole: an IN list of ~100,000 numbers
    costs more, on both sides, than the rows it would leave out (the caller filters)."""
    return requete.filter(**{f"{champ}__in": list(valeurs)}) if len(valeurs) < PEU else requete


def _creer_avec_historique(lignes: list[dict], user, raison: str, date) -> None:
    """New structures (with their ids) by COPY, then their "+" history rows copied server-side."""
    inserer_en_masse(Structure, [f.attname for f in Structure._meta.concrete_fields], lignes)
    historique = Structure.history.model
    colonnes = [f.column for f in historique._meta.concrete_fields
                if not f.attname.startswith("history_") and f.attname != "changements"]
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

    ej_existantes = dict(Structure.objects.ej().filter(finess__in={e["ej_finess"] for e in nouveaux_eg})
                         .values_list("finess", "pk"))
    eg_par_ej: dict[str, list[dict]] = {}
    for eg in nouveaux_eg:
        eg_par_ej.setdefault(eg["ej_finess"], []).append(eg)

    activites_uo: list[tuple[int, int]] = []  # (UO id, J17 concept id) of proposed units

    def sous_arbre(eg: dict, ej_id: int, tree_id: int, gauche: int, ids) -> list[dict]:
        """An EG and its proposed UOs, numbered from `gauche` (0 = numbered later by a rebuild)."""
        uos = sorted(eg["uos"], key=lambda u: u["nom"])
        ligne_eg = {k: v for k, v in eg.items() if k not in {"uos", "ej_finess"}}
        ligne_eg.update(commun, id=next(ids), niveau=Niveau.EG, parent_id=ej_id, ej_id=ej_id, eg_id=None,
                        tree_id=tree_id, level=1, lft=gauche, rght=gauche and gauche + 1 + 2 * len(uos))
        crees[eg["finess"]] = ligne_eg["id"]
        lignes = [ligne_eg]
        for i, uo in enumerate(uos):
            uo = dict(uo)
            codes_j17 = uo.pop("activites_j17", [])
            lignes.append({**uo, **commun, "id": next(ids), "niveau": Niveau.UO, "parent_id": ligne_eg["id"],
                           "ej_id": ej_id, "eg_id": ligne_eg["id"], "pre_peuplee": True,
                           "departement_id": eg.get("departement_id"), "tree_id": tree_id, "level": 2,
                           "lft": gauche and gauche + 1 + 2 * i, "rght": gauche and gauche + 2 + 2 * i})
            activites_uo.extend((lignes[-1]["id"], concept_id("J17", code)) for code in codes_j17
                                if concept_id("J17", code))
        return lignes

    def taille(eg):
        return 1 + len(eg["uos"])

    # 1. New EJ: each a new tree numbered here (EJ, then its EG by name, each with its UO).
    # A first national import (half a million rows): indexes and keys rebuilt after the load.
    a_creer = len(nouvelles_ej) + sum(taille(eg) for e in nouvelles_ej for eg in eg_par_ej.get(e["finess"], []))
    with chargement_massif([Structure, Structure.history.model], 2 * a_creer,
                           cles_vers=[Structure, Concept, Commune, Departement]) as massif:
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
        if massif:
            progres(0.8, "Reconstruction des index")

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

    if activites_uo:  # the activity of a unit proposed from an authorisation (réanimation…)
        inserer_en_masse(Structure.activites.through, None,
                         ({"structure_id": uo, "concept_id": c} for uo, c in activites_uo))

    # 3. EG that FINESS attaches to another EJ (rare): moved with their subtree.
    for eg_pk, ej_finess in (rattachements or {}).items():
        ej = Structure.objects.ej().get(finess=ej_finess)
        deplacer_structure(user, Structure.objects.get(pk=eg_pk), ej, raison=raison)

    # 4. Changed EG: FINESS fields only, one history row each.
    pks = list(modifications)
    for debut in range(0, len(pks), _LOT):
        lot = Structure.objects.in_bulk(pks[debut:debut + _LOT])
        champs_touches = set()
        for pk, s in lot.items():
            for champ, valeur in modifications[pk].items():
                setattr(s, schema.champ_modele(champ).attname, valeur)
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
    changer_version_offre()
    return crees


# -- FINESS's own register and its authorisations ------------------------------------------

_CHAMPS_REGISTRE = ["finess_ej", "nom", "categorie", "departement", "date_ouverture", "date_fermeture", "ferme",
                    "cle_ban", "score_ban", "date_maj"]


@transaction.atomic
def enregistrer_registre_finess(lignes, *, absents: list[str] = (), date_absence=None, parmi=None) -> int:
    """Write FINESS's view of the establishments an import read (EtablissementFiness), only
    the rows that changed; `absents` (CSV: no longer listed) are marked closed. Returns the
    number of rows written. The register is read whole (one row per FINESS EG ever imported,
    ~103,000 at most) rather than through an IN list of every number: new rows go by COPY,
    changed ones by one upsert. `parmi`: the numbers of `lignes` (the rows of those only are
    read when they are few, see `restreint`)."""
    registre = EtablissementFiness.objects.all()
    if parmi is not None:
        registre = restreint(registre, "finess", parmi)
    existants = {r[0]: r[1:] for r in registre.values_list("finess", *_CHAMPS_REGISTRE).iterator(chunk_size=20000)}
    nouveaux, changes = [], []
    for ligne in lignes:
        actuel = existants.get(ligne["finess"])
        if actuel is None:
            nouveaux.append(ligne)
        elif tuple(ligne[c] for c in _CHAMPS_REGISTRE) != actuel:
            changes.append(ligne)
    del existants
    with chargement_massif([EtablissementFiness], len(nouveaux)):
        inserer_en_masse(EtablissementFiness, None, nouveaux)
    if changes:
        colonnes = ["finess", *_CHAMPS_REGISTRE]
        inserer_en_masse(EtablissementFiness._meta.db_table, colonnes, [[ligne[c] for c in colonnes] for ligne in changes],
                         suite="ON CONFLICT (finess) DO UPDATE SET "
                               + ", ".join(f"{c} = EXCLUDED.{c}" for c in _CHAMPS_REGISTRE))
    fermes = EtablissementFiness.objects.filter(finess__in=list(absents), ferme=False).update(
        ferme=True, date_fermeture=date_absence) if absents else 0
    ecrits = len(nouveaux) + len(changes) + fermes
    if ecrits:  # an unchanged re-import leaves the cached pages as they are
        changer_version_offre()
    return ecrits


CHAMPS_AUTORISATION = ["autorisation_id", "exercee", "finess_ej", "finess_eg", "nature", "type_activite", "activite",
                        "modalite", "forme", "mention", "num_arhgos", "active", "date_debut", "date_fin",
                        "date_fin_effective", "date_caducite", "capacites"]


@transaction.atomic
def enregistrer_autorisations(lignes, *, retirees: list[int] = (), nouvelles: bool = False, nombre: int = 0) -> int:
    """Write the new or changed FINESS activities (rows keyed by their FINESS id, an iterable:
    written 5,000 at a time) and delete those withdrawn from the flux (a UO that served one
    keeps its data, loses the link). `nouvelles`: the caller knows none of these activities
    is in the table yet (they go by COPY, no conflict to resolve); `nombre` of them: a first
    national import's ~250,000 go with the indexes rebuilt after. Returns the number of rows written."""
    if retirees:
        AutorisationFiness.objects.filter(pk__in=list(retirees)).delete()
    if nouvelles:
        with chargement_massif([AutorisationFiness], nombre):
            n = inserer_en_masse(AutorisationFiness, None, ({**ligne, "capacites": Jsonb(ligne["capacites"])}
                                                            for ligne in lignes))
    else:
        n, lot = 0, []
        for ligne in lignes:
            lot.append(ligne)
            if len(lot) == 5000:
                n += _ecrire_autorisations(lot)
                lot = []
        n += _ecrire_autorisations(lot)
    if n or retirees:  # fiches show their activities; an unchanged re-import leaves cached pages be
        changer_version_offre()
    return n


_COLONNES_AUTORISATION = ["activite_id", *CHAMPS_AUTORISATION]


def _ecrire_autorisations(lot: list[dict]) -> int:
    """One upsert of up to 5,000 activities (typed arrays, not one parameter per value)."""
    if lot:
        inserer_en_masse(AutorisationFiness._meta.db_table, _COLONNES_AUTORISATION,
                         [[json.dumps(ligne[c]) if c == "capacites" else ligne[c] for c in _COLONNES_AUTORISATION]
                          for ligne in lot],
                         suite="ON CONFLICT (activite_id) DO UPDATE SET "
                               + ", ".join(f"{c} = EXCLUDED.{c}" for c in CHAMPS_AUTORISATION))
    return len(lot)


@transaction.atomic
def lier_uo_autorisation(user, uo: Structure, autorisation: AutorisationFiness | None, *, raison: str = "") -> Structure:
    """Link a UO to the FINESS authorisation it serves (or unlink it with None), one history row."""
    from .offre import enregistrer, verrouiller

    actuelle = verrouiller(uo, None)
    actuelle.autorisation = autorisation
    libelle = autorisation.libelle if autorisation else "aucune"
    return enregistrer(actuelle, user, raison or f"Autorisation FINESS servie : {libelle}", None)


@transaction.atomic
def enregistrer_entites_finess(lignes) -> int:
    """FINESS's legal entities read (number, pmSmsseId, name): the new ones by COPY, the
    changed ones by one upsert; only theirs are read. Returns the number written."""
    lignes = {ligne["finess"]: ligne for ligne in lignes}
    existants = {f: (p, n) for f, p, n in restreint(EntiteFiness.objects, "finess", lignes)
                 .values_list("finess", "pm_smsse_id", "nom")}
    nouvelles = [ligne for f, ligne in lignes.items() if f not in existants]
    changees = [ligne for f, ligne in lignes.items() if f in existants
                and existants[f] != (ligne["pm_smsse_id"], ligne["nom"])]
    with chargement_massif([EntiteFiness], len(nouvelles)):
        inserer_en_masse(EntiteFiness, None, nouvelles)
    if changees:
        inserer_en_masse(EntiteFiness._meta.db_table, ["finess", "pm_smsse_id", "nom"],
                         [[ligne["finess"], ligne["pm_smsse_id"], ligne["nom"]] for ligne in changees],
                         suite="ON CONFLICT (finess) DO UPDATE SET pm_smsse_id = EXCLUDED.pm_smsse_id, "
                               "nom = EXCLUDED.nom")
    return len(nouvelles) + len(changees)
