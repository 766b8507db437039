"""What a dossier changes, and what changed in the live Répertoire meanwhile: two lists,
never mixed.

- `changements`: each fiche the dossier touches, the copy it was opened from → the
  dossier (what the référent changed); creations, deletions and moves included.
- `ecarts`: on those same fiches, the fields someone changed directly in the Répertoire
  since the copy (copy → live). An écart is a *conflict to settle* when the dossier also
  changes that field to another value, or when the dossier deletes a fiche that was edited
  live; otherwise publication keeps the live value (it writes only what the dossier changed).
"""

from repertoire.models import Structure

from .brouillon import afficher, champs_de, champs_differents, libelle, lignes_de_diff, lire_fiches
from .models import FicheBrouillon, StatutBrouillon

SUPPRESSION = "__suppression__"  # the conflict key of "deleted in the dossier, edited live"


def fiche_touchee(fiche) -> bool:
    return fiche.est_creation or fiche.a_supprimer or fiche.est_deplacee or fiche.statut != StatutBrouillon.INCHANGEE


def changements(fiches) -> list[dict]:
    """For each fiche the dossier changes: its nature and the rows copy → dossier."""
    blocs = []
    for fiche in fiches:
        if fiche.a_supprimer:
            blocs.append({"fiche": fiche, "nature": "Suppression", "lignes": []})
        elif fiche.est_creation:
            blocs.append({"fiche": fiche, "nature": "Création",
                          "lignes": lignes_de_diff(fiche.niveau, {}, fiche.donnees)})
        else:
            lignes = lignes_de_diff(fiche.niveau, fiche.reference, fiche.donnees)
            if lignes or fiche.est_deplacee:
                nature = "Déplacement" if fiche.est_deplacee and not lignes else "Modification"
                blocs.append({"fiche": fiche, "nature": nature, "lignes": lignes})
    return blocs


def ecarts(fiches) -> list[dict]:
    """Live changes since the copy on the fiches the dossier touches, each flagged `conflit`
    when publication needs a choice. Keys "<fiche pk>:<field>" (or ":__suppression__")."""
    existantes = [f for f in fiches if not f.est_creation and f.structure_id and fiche_touchee(f)]
    if not existantes:
        return []
    # The live fiches copied in the dossier (those it touches are among them), read by a
    # subquery and as plain rows: a dossier touching thousands of fiches reads them at once.
    copiees = FicheBrouillon.objects.filter(dossier_id=existantes[0].dossier_id, copiee=True, creation=False)
    requete = Structure.objects.filter(pk__in=copiees.values("structure_id"))
    lignes = list(requete.order_by().values("pk", "niveau", "version"))
    vivantes = {ligne["pk"]: ligne for ligne in lignes}
    actuelles = lire_fiches(lignes, requete)
    trouves = []
    for fiche in existantes:
        if fiche.structure_id not in vivantes:
            continue
        actuelle, noms = actuelles[fiche.structure_id], champs_de(fiche.niveau)
        par_dossier = set(champs_differents(fiche.reference, fiche.donnees, noms))
        for nom in champs_differents(fiche.reference, actuelle, noms):
            conflit = (not fiche.a_supprimer and nom in par_dossier
                       and bool(champs_differents(actuelle, fiche.donnees, [nom])))
            trouves.append(_ecart(fiche, nom, fiche.reference.get(nom), actuelle.get(nom),
                                  fiche.donnees.get(nom), conflit))
        modifiee = vivantes[fiche.structure_id]["version"] != fiche.version_copiee
        if fiche.a_supprimer and modifiee:
            trouves.append({"fiche": fiche, "cle": f"{fiche.pk}:{SUPPRESSION}", "champ": SUPPRESSION,
                            "libelle": "suppression de la fiche", "conflit": True, "suppression": True,
                            "copie": "fiche copiée", "repertoire": "fiche modifiée depuis la copie",
                            "dossier": "fiche supprimée"})
    return trouves


def _ecart(fiche, nom, copie, repertoire, dossier, conflit) -> dict:
    return {"fiche": fiche, "cle": f"{fiche.pk}:{nom}", "champ": nom, "libelle": libelle(nom), "conflit": conflit,
            "suppression": False, "copie": afficher(nom, copie), "repertoire": afficher(nom, repertoire),
            "dossier": afficher(nom, dossier), "valeurs": {"repertoire": repertoire, "dossier": dossier}}


def conflits(fiches) -> list[dict]:
    return [e for e in ecarts(fiches) if e["conflit"]]
