"""The "Historique" of a fiche: who, when, which encadré, each field before → after.

Built from django-simple-history records of the structure, of its contacts and of
its planning, and of the fiches created, deleted or moved under it. A record written
by repertoire.services.offre carries its own changes (`changements`: values before,
lists before/after); older records are compared with the one before them, in a fixed number of queries: labels of
codes, communes and users are fetched once for the whole page.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q

from . import schema
from .models import HISTORY_M2M_FIELDS, Contact, Horaire, Jour, Niveau, Structure
from .schema import Libelles

FUSION = timedelta(seconds=5)  # one save writes several records (fiche, contacts, horaires)


def _champs_scalaires():
    return [f for f in Structure._meta.concrete_fields if schema.historise(f.name)]


def _cible_m2m(nom: str):
    through = Structure.history.model._meta.get_field(f"historicalstructure_{nom}").related_model
    cible = next(f for f in through._meta.fields if f.name not in {"id", "structure", "history", "m2m_history_id"})
    return through, cible


def formater_valeur(nom: str, valeur) -> str:
    """A value as found in a simple-history diff (ids, lists of through rows) → text (labels)."""
    champ = Structure._meta.get_field(nom)
    if champ.many_to_many and isinstance(valeur, list):
        cible = _cible_m2m(nom)[1].name
        valeur = [row.get(cible) if isinstance(row, dict) else row for row in valeur]
    return schema.texte(nom, valeur)


def _entree(record, raison, changements, libelles) -> dict:
    return {"le": record.history_date, "user_id": record.history_user_id, "encadre": raison or "",
            "changements": changements, "type": record.history_type}


def _valeur_json(champ, valeur):
    """A value before, as kept in a record's `changements` (JSON), back to the model's type."""
    if valeur is None:
        return None
    cible = champ.target_field if champ.is_relation else champ
    return cible.to_python(valeur)


def _changements_notes(record, libelles) -> list[dict]:
    """The changes a record carries itself (`changements`): values before, lists before/after."""
    changements = []
    if record.history_type == "+":  # a creation shows every filled field
        for champ in _champs_scalaires():
            apres = getattr(record, champ.attname)
            if champ.name not in ("niveau", "version") and not schema.est_vide(apres) and apres is not False:
                libelles.noter(champ, apres)
                changements.append({"champ": champ, "avant": None, "apres": apres})
    for nom, avant in record.changements.get("champs", {}).items():
        if not schema.historise(nom):
            continue
        champ = Structure._meta.get_field(nom)
        avant, apres = _valeur_json(champ, avant), getattr(record, champ.attname)
        libelles.noter(champ, avant)
        libelles.noter(champ, apres)
        changements.append({"champ": champ, "avant": avant, "apres": apres})
    for nom, (avant, apres) in record.changements.get("listes", {}).items():
        champ = Structure._meta.get_field(nom)
        libelles.noter(champ, avant)
        libelles.noter(champ, apres)
        changements.append({"champ": champ, "avant": avant, "apres": apres, "liste": True,
                            "ajouts": sorted(set(apres) - set(avant)), "retraits": sorted(set(avant) - set(apres))})
    return changements


def _historique_structure(structure: Structure, limite: int, libelles: Libelles) -> list[dict]:
    modele = Structure.history.model
    records = list(reversed(modele.objects.filter(id=structure.pk).order_by("-history_date", "-history_id")[:limite + 1]))
    tronque = len(records) > limite  # the oldest record read only serves as the first one's "before"
    anciens = [r.history_id for r in records if r.changements is None]
    listes = {}
    for nom in HISTORY_M2M_FIELDS:  # snapshots of the lists, kept by records older than `changements`
        through, cible = _cible_m2m(nom)
        valeurs = {}
        for history_id, valeur in through.objects.filter(history_id__in=anciens).values_list("history_id",
                                                                                            cible.attname):
            valeurs.setdefault(history_id, []).append(valeur)
        listes[nom] = valeurs
    photographies = {hid for valeurs in listes.values() for hid in valeurs}
    champs = _champs_scalaires()
    entrees = []
    for precedent, record in zip([None] + records, records):
        libelles.noter_objet(get_user_model(), record.history_user_id)
        if record.changements is not None:
            if precedent is not None or not tronque:
                entrees.append(_entree(record, record.history_change_reason or (
                    "Création de la fiche" if record.history_type == "+" else ""),
                    _changements_notes(record, libelles), libelles))
            continue
        if precedent is None:
            if record.history_type == "+" or not tronque:
                entrees.append(_entree(record, record.history_change_reason or (
                    "Création de la fiche" if record.history_type == "+" else ""), [], libelles))
            continue
        changements = []
        for champ in champs:
            avant, apres = getattr(precedent, champ.attname), getattr(record, champ.attname)
            if avant != apres:
                libelles.noter(champ, avant)
                libelles.noter(champ, apres)
                changements.append({"champ": champ, "avant": avant, "apres": apres})
        # Lists compare only between two snapshots (a record that carries its changes, or an
        # import's record, has none).
        if precedent.history_id in photographies and record.history_id in photographies:
            for nom in HISTORY_M2M_FIELDS:
                avant = sorted(listes[nom].get(precedent.history_id, []))
                apres = sorted(listes[nom].get(record.history_id, []))
                if avant != apres:
                    champ = Structure._meta.get_field(nom)
                    libelles.noter(champ, avant)
                    libelles.noter(champ, apres)
                    changements.append({"champ": champ, "avant": avant, "apres": apres, "liste": True,
                                        "ajouts": sorted(set(apres) - set(avant)),
                                        "retraits": sorted(set(avant) - set(apres))})
        if changements or record.history_type != "~":
            entrees.append(_entree(record, record.history_change_reason, changements, libelles))
    return entrees


def _historique_rattachements(structure: Structure, libelles: Libelles) -> list[dict]:
    """Fiches created, deleted or moved under this one: shown in its history too."""
    modele = Structure.history.model
    records = modele.objects.filter(parent_id=structure.pk).filter(
        Q(history_type__in=["+", "-"]) | Q(changements__champs__has_key="parent")).order_by("history_date")[:500]
    entrees = []
    for record in records:
        libelles.noter_objet(get_user_model(), record.history_user_id)
        quoi = {"+": "créée", "-": "supprimée"}.get(record.history_type, "rattachée ici (déplacement)")
        avant = "—" if record.history_type != "-" else "existante"
        entrees.append(_entree(record, record.history_change_reason, [{
            "champ": None, "libelle": f"{Niveau(record.niveau).label} « {record.nom} »", "avant": avant,
            "apres": quoi}], libelles))
    return entrees


def _historique_lignes(modele, structure, decrire, libelles) -> list[dict]:
    """History of rows attached to the fiche (contacts, horaires): one entry per record."""
    records = list(reversed(modele.history.filter(structure_id=structure.pk)  # the newest 500
                            .order_by("-history_date", "-history_id")[:500]))
    derniers = {}
    entrees = []
    for record in records:
        libelles.noter_objet(get_user_model(), record.history_user_id)
        precedent = derniers.get(record.id)
        derniers[record.id] = record
        changements = decrire(precedent, record)
        if changements:
            entrees.append(_entree(record, record.history_change_reason, changements, libelles))
    return entrees


def _decrire_contact(precedent, record):
    champs = [f for f in Contact._meta.concrete_fields if f.name in {"libelle", "civilite", "titre", "nom", "prenom",
                                                                      "telephone", "email"}]
    nom = " ".join(x for x in [record.libelle, record.prenom, record.nom] if x) or "contact"
    # A change written by repertoire.services.encadres carries its values before; older ones are
    # compared with the contact's record before them.
    notes = record.changements.get("champs", {}) if record.history_type == "~" and record.changements else None
    changements = []
    for champ in champs:
        apres = None if record.history_type == "-" else getattr(record, champ.attname)
        if record.history_type == "-":
            avant = getattr(record, champ.attname)
        elif record.history_type == "+":
            avant = None
        elif notes is not None:
            if champ.name not in notes:
                continue
            avant = notes[champ.name]
        else:
            avant = getattr(precedent, champ.attname) if precedent is not None else None
        if (avant or None) != (apres or None):
            changements.append({"champ": champ, "avant": avant, "apres": apres,
                                "libelle": f"{'Responsable' if record.est_responsable else 'Contact'} « {nom} » : "
                                           f"{champ.verbose_name}"})
    return changements


def _decrire_horaire(precedent, record):
    creneau = f"{record.debut:%H:%M} – {record.fin:%H:%M}"
    jour = Jour(record.jour).label
    if record.history_type == "+":
        return [{"libelle": f"Planning : {jour}", "avant": "", "apres": creneau}]
    if record.history_type == "-":
        return [{"libelle": f"Planning : {jour}", "avant": creneau, "apres": ""}]
    if precedent is not None:
        ancien = f"{precedent.debut:%H:%M} – {precedent.fin:%H:%M}"
        if ancien != creneau:
            return [{"libelle": f"Planning : {jour}", "avant": ancien, "apres": creneau}]
    return []


def historique_de(structure: Structure, limite: int = 200) -> list[dict]:
    """Newest first: [{le, par, encadre, changements: [{libelle, avant, apres, liste, ajouts, retraits}]}]."""
    libelles = Libelles()
    entrees = (_historique_structure(structure, limite, libelles)
               + _historique_rattachements(structure, libelles)
               + _historique_lignes(Contact, structure, _decrire_contact, libelles)
               + _historique_lignes(Horaire, structure, _decrire_horaire, libelles))
    libelles.charger()
    entrees.sort(key=lambda e: e["le"])
    fusionnees: list[dict] = []
    for entree in entrees:
        dernier = fusionnees[-1] if fusionnees else None
        if (dernier and dernier["user_id"] == entree["user_id"] and entree["le"] - dernier["le"] <= FUSION
                and (dernier["encadre"] == entree["encadre"] or not entree["changements"] or not dernier["changements"])):
            dernier["changements"] += entree["changements"]
            dernier["encadre"] = dernier["encadre"] or entree["encadre"]
            continue
        fusionnees.append(entree)
    for entree in fusionnees:
        entree["par"] = libelles.de(get_user_model(), entree["user_id"], "Système (import ou reprise)")
        for c in entree["changements"]:
            champ = c.get("champ")
            if "libelle" not in c:
                c["libelle"] = str(champ.verbose_name).capitalize()
            c["avant_texte"] = libelles.texte(champ, c["avant"]) if champ is not None else c["avant"]
            c["apres_texte"] = libelles.texte(champ, c["apres"]) if champ is not None else c["apres"]
            if c.get("liste"):
                # said apart only when the list had values on both sides (else it repeats Avant or Après)
                c["ajouts_texte"] = libelles.texte(champ, c["ajouts"], deja=c["avant"]) if c["avant"] else ""
                c["retraits_texte"] = libelles.texte(champ, c["retraits"]) if c["apres"] else ""
    return list(reversed(fusionnees))[:limite]
