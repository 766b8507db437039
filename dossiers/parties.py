"""The contacts, responsable and planning of a draft fiche: rows of their own in the
Répertoire (Contact, Horaire), carried by a dossier as three more "fields" of the draft.

As JSON in a draft:
- "contacts": [{"id": live contact or None, "libelle", "telephone", "email"}], in order;
- "responsable": {"civilite": concept pk, "titre", "prenom", "nom", "email", "telephone"} or None;
- "horaires": [[jour, "HH:MM", "HH:MM"]], sorted.
They are edited with the Répertoire's own forms (repertoire.forms.FormulairesParties) and
published through its own service (repertoire.services.encadres.ecrire_parties).
"""

from datetime import time

from nomenclatures.models import Concept
from repertoire.encadres import encadres_de
from repertoire.forms import CHAMPS_CONTACT, FormulaireResponsable
from repertoire.models import Contact, Horaire, Jour, Niveau
from repertoire.services.encadres import PARTIES as SPECIAUX

# The parts a dossier carries per level: those an encadré of the level edits.
PARTIES = {niveau: [cle for cle, special in SPECIAUX.items() if any(special in e.special for e in encadres_de(niveau))]
           for niveau in Niveau.values}
CHAMPS_RESPONSABLE = FormulaireResponsable.Meta.fields
LIBELLES = {"contacts": "autres contacts", "responsable": "responsable", "horaires": "planning"}


def est_partie(nom: str) -> bool:
    return nom in SPECIAUX


# -- JSON -------------------------------------------------------------------------------

def contact_json(contact: dict) -> dict:
    return {"id": contact.get("id"), **{k: contact.get(k) or "" for k in CHAMPS_CONTACT}}


def responsable_json(responsable: dict | None) -> dict | None:
    """None when nothing is filled (no responsable); the civilité by its concept's pk."""
    if not responsable:
        return None
    valeurs = {k: responsable.get(k) for k in CHAMPS_RESPONSABLE}
    valeurs["civilite"] = getattr(valeurs["civilite"], "pk", valeurs["civilite"])
    valeurs.update({k: v or "" for k, v in valeurs.items() if k != "civilite"})
    return valeurs if any(valeurs.values()) else None


def horaires_json(horaires) -> list:
    return sorted([jour, f"{debut:%H:%M}", f"{fin:%H:%M}"] for jour, debut, fin in horaires)


def en_json(donnees: dict) -> dict:
    """What FormulairesParties.donnees() gives, as stored in a draft."""
    convertis = {}
    if "contacts" in donnees:
        convertis["contacts"] = [contact_json(c) for c in donnees["contacts"]]
    if "responsable" in donnees:
        convertis["responsable"] = responsable_json(donnees["responsable"])
    if "horaires" in donnees:
        convertis["horaires"] = horaires_json(donnees["horaires"])
    return convertis


def lire(lues: dict[int, dict], niveaux: dict[int, str], cles) -> None:
    """Add the live parts to drafts being read ({pk: draft}); one query per kind of row.
    `cles`: the pks, or a subquery selecting them."""
    voulues = {p for niveau in set(niveaux.values()) for p in PARTIES[niveau]}
    for pk, donnees in lues.items():
        for partie in PARTIES[niveaux[pk]]:
            donnees[partie] = None if partie == "responsable" else []
    if voulues & {"contacts", "responsable"}:
        for c in Contact.objects.filter(structure_id__in=cles).order_by("structure_id", "id").values(
                "structure_id", "id", "est_responsable", "civilite_id", *CHAMPS_CONTACT,
                *(k for k in CHAMPS_RESPONSABLE if k not in CHAMPS_CONTACT and k != "civilite")):
            donnees = lues[c["structure_id"]]
            if not c["est_responsable"]:
                if "contacts" in donnees:
                    donnees["contacts"].append(contact_json(c))
            elif "responsable" in donnees and donnees["responsable"] is None:
                donnees["responsable"] = responsable_json({**c, "civilite": c["civilite_id"]})
    if "horaires" in voulues:
        for pk, jour, debut, fin in Horaire.objects.filter(structure_id__in=cles).order_by(
                "structure_id", "jour", "debut").values_list("structure_id", "jour", "debut", "fin"):
            if "horaires" in lues[pk]:
                lues[pk]["horaires"].append([jour, f"{debut:%H:%M}", f"{fin:%H:%M}"])


def pour_service(donnees: dict) -> dict:
    """Parts of a draft as repertoire.services.encadres.ecrire_parties takes them."""
    parties = {}
    if "contacts" in donnees:
        parties["contacts"] = [dict(c) for c in donnees["contacts"] or []]
    if "responsable" in donnees:
        responsable = donnees["responsable"]
        if responsable:
            civilite = Concept.objects.filter(pk=responsable.get("civilite")).first() \
                if responsable.get("civilite") else None
            responsable = {**{k: responsable.get(k) or "" for k in CHAMPS_RESPONSABLE}, "civilite": civilite}
        parties["responsable"] = responsable
    if "horaires" in donnees:
        parties["horaires"] = [(jour, time.fromisoformat(debut), time.fromisoformat(fin))
                               for jour, debut, fin in donnees["horaires"] or []]
    return parties


# -- words ------------------------------------------------------------------------------

def texte_contact(contact: dict | None) -> str:
    if not contact:
        return "—"
    return " · ".join(contact.get(k) for k in CHAMPS_CONTACT if contact.get(k)) or "(contact vide)"


def _civilite(pk) -> str:
    return Concept.objects.filter(pk=pk).values_list("libelle", flat=True).first() or "" if pk else ""


def texte_responsable(responsable: dict | None) -> str:
    if not responsable:
        return "—"
    nom = " ".join(x for x in (_civilite(responsable.get("civilite")), responsable.get("prenom"),
                               responsable.get("nom")) if x)
    morceaux = [nom, responsable.get("titre"), responsable.get("telephone"), responsable.get("email")]
    return " · ".join(m for m in morceaux if m) or "—"


def _par_jour(horaires) -> dict[int, str]:
    par_jour: dict[int, list[str]] = {}
    for jour, debut, fin in horaires or []:
        par_jour.setdefault(jour, []).append(f"{debut}-{fin}")
    return {jour: ", ".join(creneaux) for jour, creneaux in par_jour.items()}


def texte_horaires(horaires) -> str:
    par_jour = _par_jour(horaires)
    return " ; ".join(f"{Jour(j).label} {par_jour[j]}" for j in sorted(par_jour)) or "—"


def afficher(nom: str, valeur) -> str:
    if nom == "contacts":
        return " ; ".join(texte_contact(c) for c in valeur or []) or "—"
    if nom == "responsable":
        return texte_responsable(valeur)
    return texte_horaires(valeur)


def lignes(nom: str, avant, apres, seulement_changes: bool = True) -> list[tuple[str, str, str, bool]]:
    """The rows a part adds to a diff, (label, before, after, changed): one per contact
    added, removed or changed; the responsable; one per day whose hours change."""
    if nom == "contacts":
        avant, apres = avant or [], apres or []
        anciens = {c.get("id"): c for c in avant if c.get("id")}
        gardes = {c.get("id") for c in apres if c.get("id") in anciens}
        resultat = []
        for contact in apres:
            ancien = anciens.get(contact.get("id"))
            change = ancien is None or contact_json(ancien) != contact_json(contact)
            if change or not seulement_changes:
                titre = (ancien or contact).get("libelle") or (ancien or contact).get("telephone") or "sans nom"
                resultat.append((f"contact « {titre} »", texte_contact(ancien), texte_contact(contact), change))
        for contact in avant:
            if contact.get("id") not in gardes:
                titre = contact.get("libelle") or contact.get("telephone") or "sans nom"
                resultat.append((f"contact « {titre} »", texte_contact(contact), "—", True))
        return resultat
    if nom == "responsable":
        change = responsable_json(avant) != responsable_json(apres)
        return [(LIBELLES[nom], texte_responsable(avant), texte_responsable(apres), change)] \
            if change or not seulement_changes else []
    jours_avant, jours_apres = _par_jour(avant), _par_jour(apres)
    resultat = []
    for jour in sorted(set(jours_avant) | set(jours_apres)):
        change = jours_avant.get(jour) != jours_apres.get(jour)
        if change or not seulement_changes:
            resultat.append((f"planning : {Jour(jour).label.lower()}", jours_avant.get(jour) or "fermé",
                             jours_apres.get(jour) or "fermé", change))
    return resultat
