"""What a dossier changes, and what changed in the live Répertoire meanwhile: two lists,
never mixed.

- `changements`: each fiche the dossier touches, the copy it was opened from → the
  dossier (what the référent changed); creations, deletions and moves included.
- `ecarts`: on those same fiches, the fields someone changed directly in the Répertoire
  since the copy (copy → live). An écart is a *conflict to settle* when the dossier also
  changes that field to another value, or when the dossier deletes a fiche that was edited
  live; otherwise publication keeps the live value (it writes only what the dossier changed).
"""

import json

from django.db import connection

from repertoire.models import Structure

from . import parties
from .brouillon import afficher, champs_de, champs_differents, libelle, libelles_de, lignes_de_diff, lire_fiches
from .models import FicheBrouillon, StatutBrouillon

SUPPRESSION = "__suppression__"  # the conflict key of "deleted in the dossier, edited live"


def fiche_touchee(fiche) -> bool:
    return fiche.est_creation or fiche.a_supprimer or fiche.est_deplacee or fiche.statut != StatutBrouillon.INCHANGEE


def changements(fiches) -> list[dict]:
    """For each fiche the dossier changes: its nature and the rows copy → dossier (the labels
    of codes and communes fetched once for all fiches, not per row)."""
    blocs = []
    touchees = [f for f in fiches if fiche_touchee(f) and not f.a_supprimer]
    libelles = libelles_de([d for f in touchees for d in (f.reference, f.donnees)])
    for fiche in fiches:
        if fiche.a_supprimer:
            blocs.append({"fiche": fiche, "nature": "Suppression", "lignes": []})
        elif fiche.est_creation:
            blocs.append({"fiche": fiche, "nature": "Création",
                          "lignes": lignes_de_diff(fiche.niveau, {}, fiche.donnees, libelles=libelles)})
        else:
            lignes = lignes_de_diff(fiche.niveau, fiche.reference, fiche.donnees, libelles=libelles)
            if lignes or fiche.est_deplacee:
                nature = "Déplacement" if fiche.est_deplacee and not lignes else "Modification"
                blocs.append({"fiche": fiche, "nature": nature, "lignes": lignes})
    return blocs


def changes_par_le_dossier(fiche, noms, differences: dict | None = None) -> list[str]:
    """Those of `noms` the dossier changes on an existing fiche (copy → draft): from
    `differences(dossier)` when the fiches were read without their drafts, else compared here."""
    if differences is not None:
        change = differences.get(fiche.pk, {})
        return [nom for nom in noms if nom in change]
    return champs_differents(fiche.reference, fiche.donnees, noms)


def ecarts(fiches, differences: dict | None = None) -> list[dict]:
    """Live changes since the copy on the fiches the dossier touches, each flagged `conflit`
    when publication needs a choice. Keys "<fiche pk>:<field>" (or ":__suppression__").
    `differences`: `differences(dossier)`, when the fiches were read without their drafts."""
    existantes = [f for f in fiches if not f.est_creation and f.structure_id and fiche_touchee(f)]
    if not existantes:
        return []
    # The versions of the live fiches copied in the dossier (those it touches are among them),
    # read by a subquery. Every write of a fiche bumps its version (repertoire.services.offre):
    # only the fiches whose version moved since the copy can differ from it, and only those
    # are read whole (a dossier touching thousands of fiches rarely has more than a few).
    copiees = FicheBrouillon.objects.filter(dossier_id=existantes[0].dossier_id, copiee=True, creation=False)
    vivantes = {ligne["pk"]: ligne for ligne in Structure.objects.filter(pk__in=copiees.values("structure_id"))
                .order_by().values("pk", "niveau", "version")}
    # Contacts, responsable and planning are also written alone (encadres.ecrire_parties, which
    # leaves the version to its caller): a fiche whose parts the dossier changes is read whole too.
    bougees = [f for f in existantes if f.structure_id in vivantes
               and (vivantes[f.structure_id]["version"] != f.version_copiee or changes_par_le_dossier(f, parties.PARTIES[f.niveau], differences))]
    if not bougees:
        return []
    lire_entieres(bougees)
    actuelles = lire_fiches([vivantes[f.structure_id] for f in bougees],
                            Structure.objects.filter(pk__in=[f.structure_id for f in bougees]))
    trouves = []
    for fiche in bougees:
        actuelle, noms = actuelles[fiche.structure_id], champs_de(fiche.niveau)
        par_dossier = set(champs_differents(fiche.reference, fiche.donnees, noms))
        for nom in champs_differents(fiche.reference, actuelle, noms):
            conflit = (not fiche.a_supprimer and nom in par_dossier
                       and bool(champs_differents(actuelle, fiche.donnees, [nom])))
            trouves.append(_ecart(fiche, nom, fiche.reference.get(nom), actuelle.get(nom),
                                  fiche.donnees.get(nom), conflit))
        if fiche.a_supprimer:  # edited live since the copy: what was edited, for the one who chooses
            modifies = "; ".join(f"{e['libelle']} : {e['repertoire']}" for e in trouves if e["fiche"] is fiche)
            trouves.append({"fiche": fiche, "cle": f"{fiche.pk}:{SUPPRESSION}", "champ": SUPPRESSION,
                            "libelle": "suppression de la fiche", "conflit": True, "suppression": True,
                            "copie": "fiche copiée", "repertoire": "fiche modifiée depuis la copie" + (
                                f" ({modifies})" if modifies else ""),
                            "dossier": "fiche supprimée"})
    return trouves


def _ecart(fiche, nom, copie, repertoire, dossier, conflit) -> dict:
    return {"fiche": fiche, "cle": f"{fiche.pk}:{nom}", "champ": nom, "libelle": libelle(nom), "conflit": conflit,
            "suppression": False, "copie": afficher(nom, copie), "repertoire": afficher(nom, repertoire),
            "dossier": afficher(nom, dossier), "valeurs": {"repertoire": repertoire, "dossier": dossier}}


def conflits(fiches, differences: dict | None = None) -> list[dict]:
    return [e for e in ecarts(fiches, differences) if e["conflit"]]


def lire_entieres(fiches) -> None:
    """Fill the drafts of fiches read without them (a publication reads none: thousands of
    JSON documents), in one query."""
    differees = [f for f in fiches if {"donnees", "reference"} & f.get_deferred_fields()]
    if differees:
        entieres = FicheBrouillon.objects.only("donnees", "reference").in_bulk([f.pk for f in differees])
        for fiche in differees:
            fiche.donnees, fiche.reference = entieres[fiche.pk].donnees, entieres[fiche.pk].reference


# `champs_differents` (copy → draft) computed by PostgreSQL: "", [] and null are equal, as _normal says.
_NORMAL = "NULLIF(NULLIF(NULLIF({}, 'null'::jsonb), '\"\"'::jsonb), '[]'::jsonb)"
# Each draft and its copy are expanded once (jsonb_each), their keys matched: a field's value
# taken by `->` from a large (compressed) document would unpack it again for every field.
_DIFFERENCES = f"""
SELECT f.id, d.changes FROM {FicheBrouillon._meta.db_table} f
CROSS JOIN LATERAL (
    SELECT jsonb_object_agg(coalesce(n.key, r.key), coalesce(n.value, 'null'::jsonb)) AS changes
    FROM jsonb_each(f.donnees) n FULL JOIN jsonb_each(f.reference) r ON n.key = r.key
    WHERE {_NORMAL.format("n.value")} IS DISTINCT FROM {_NORMAL.format("r.value")}) d
WHERE f.dossier_id = %s AND f.copiee AND NOT f.creation AND NOT f.a_supprimer AND d.changes IS NOT NULL"""


def differences(dossier_id: int) -> dict[int, dict]:
    """{fiche pk: {field: value in the dossier}} for the fields each existing fiche of the
    dossier changes (copy → draft), compared in the database: publishing thousands of fiches
    reads only what changed, not every draft and copy."""
    with connection.cursor() as cursor:
        cursor.execute(_DIFFERENCES, [dossier_id])
        return {pk: json.loads(valeurs) if isinstance(valeurs, str) else valeurs for pk, valeurs in cursor.fetchall()}
