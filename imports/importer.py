"""One FINESS import: read and check the whole file, compare it with the Répertoire,
apply the differences through repertoire.services in one transaction, write the report.

All or nothing: a defective file changes nothing and the run says which line and why.
"""

import functools
import gc
import hashlib
import io
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nomenclatures.cache import concept_id
from nomenclatures.models import Commune, Concept, Departement
from repertoire import autorisations as regles
from repertoire import schema
from repertoire.models import AutorisationFiness, EtablissementFiness, Etat, Niveau, Structure
from repertoire.services import import_finess
from repertoire.services.import_finess import PEU, restreint
from repertoire.services.groupements import synchroniser_groupements_finess
from socle.ecriture import chargement_massif, inserer_en_masse

from .finess import Etablissement, Extrait, FichierInvalide, Referentiel, lire_extrait
from .finess_json import ExtraitActivites, ExtraitJson, lire_activites, lire_en_tete, lire_structures
from .models import Changement, EmpreinteActivites, EmpreinteStructures, ImportFiness
from .propositions import propositions

logger = logging.getLogger(__name__)

CHAMPS_ADRESSE = ("numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit")
VERROU_IMPORT = 7_007_001  # PostgreSQL advisory lock key of FINESS imports
# A position that moved less than about half a metre has not moved (projection round trips).
TOLERANCE_DEGRES = 5e-6

# The EG fields FINESS owns (the field schema says which), by name and attname; the
# state and closing date follow the register's presence, not a compared value.
CHAMPS_FINESS = schema.champs_finess()
CHAMPS_COMPARES = [(c, schema.champ_modele(c).attname) for c in CHAMPS_FINESS if c not in {"etat", "date_fermeture"}]


@dataclass
class Reference:
    """Reference data read once: nomenclature ids and labels, communes, départements."""

    categories: dict[str, int]
    types_voie: dict[str, int]
    communes: dict[str, str]
    departements: set[str]
    libelles: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def charger(cls) -> "Reference":
        j55 = list(Concept.objects.filter(nomenclature__cle="J55").values_list("code", "pk", "libelle"))
        j219 = list(Concept.objects.filter(nomenclature__cle="J219").values_list("code", "pk", "libelle"))
        communes = list(Commune.objects.values_list("code_insee", "departement_id", "nom"))
        ref = cls(categories={c: pk for c, pk, _ in j55}, types_voie={c: pk for c, pk, _ in j219},
                  communes={c: d for c, d, _ in communes},
                  departements=set(Departement.objects.values_list("code", flat=True)))
        ref.libelles = {
            "categorie": {pk: f"{c} – {lib}" for c, pk, lib in j55},
            "type_voie": {pk: c for c, pk, _ in j219},
            "commune": {c: f"{nom} ({c})" for c, _, nom in communes},
        }
        return ref

    def afficher(self, champ: str, valeur) -> str:
        if valeur is None or valeur == "":
            return ""
        if champ in self.libelles:
            return self.libelles[champ].get(valeur, str(valeur))
        if champ in {"date_ouverture", "date_fermeture"}:
            return valeur.strftime("%d/%m/%Y")
        if champ == "etat":
            return Etat(valeur).label
        return str(valeur)


def perimetre_configure() -> set[str] | None:
    """The départements imported (settings.FINESS_DEPARTEMENTS), or None for the whole file."""
    deps = getattr(settings, "FINESS_DEPARTEMENTS", None)
    return set(deps) if deps else None


def libelle_perimetre(departements: set[str] | None) -> str:
    if departements is None:
        return "France entière"
    return f"{settings.ROR_REGION_NOM} ({', '.join(sorted(departements))})"


def cible(etab: Etablissement, ref: Reference) -> dict:
    """The values FINESS gives for an EG, keyed by field name."""
    type_voie = ref.types_voie.get(etab.typvoie.upper()) if etab.typvoie else None
    voie = etab.voie if type_voie or not etab.typvoie else f"{etab.typvoie} {etab.voie}".strip()
    return {
        "nom": etab.rs or etab.rslongue,
        "nom_officiel": etab.rslongue,
        "numero_voie": f"{etab.numvoie} {etab.compvoie}".strip()[:10],
        "type_voie": type_voie,
        "voie": voie[:200],
        "complement_adresse": etab.compldistrib[:200],
        "lieu_dit": etab.lieuditbp[:200],
        "code_postal": etab.code_postal,
        "commune": etab.commune_insee or None,
        "departement": etab.departement if etab.departement in ref.departements else None,
        "telephone": etab.telephone,
        "fax": etab.telecopie,
        "categorie": ref.categories[etab.categorie],
        "siret": etab.siret,
        "date_ouverture": etab.date_ouverture,
        "latitude": etab.latitude,
        "longitude": etab.longitude,
    }


def differences(actuel: dict, voulu: dict) -> dict:
    """Fields to change. FINESS never erases what it leaves empty, except the street
    parts of an address it does give (an address is replaced as a whole)."""
    adresse_donnee = any(voulu[c] for c in CHAMPS_ADRESSE)
    diff = {}
    for champ, valeur in voulu.items():
        vide = valeur is None or valeur == ""
        if vide and not (champ in CHAMPS_ADRESSE and adresse_donnee):
            continue
        if champ in {"latitude", "longitude"} and actuel[champ] is not None and not vide \
                and abs(actuel[champ] - valeur) < TOLERANCE_DEGRES:
            continue
        if actuel[champ] != valeur and not (vide and actuel[champ] in (None, "")):
            diff[champ] = valeur
    return diff


@dataclass
class Plan:
    """What the import will do, computed before any write."""

    nouvelles_ej: list[dict] = field(default_factory=list)
    nouveaux_eg: list[dict] = field(default_factory=list)
    modifications: dict[int, dict] = field(default_factory=dict)
    rattachements: dict[int, str] = field(default_factory=dict)
    changements: list[dict] = field(default_factory=list)  # rows of Changement
    fermes: int = 0
    rouverts: int = 0
    modifies: int = 0
    uo_proposees: int = 0
    ignores: int = 0
    absents: list[str] = field(default_factory=list)  # CSV: EG of the perimeter the file no longer lists
    autorisations: list = field(default_factory=list)  # Activite (finess_json) new or changed
    autorisations_avant: dict = field(default_factory=dict)  # activite_id → row as it was (changed ones)
    autorisations_retirees: dict = field(default_factory=dict)  # pk → row withdrawn
    noms: dict = field(default_factory=dict)

    def lignes_rapport(self, imp_id: int):
        """Every row of the report, those of the authorisations made on the fly (a national
        flux has ~250,000 activities: their rows are not kept in memory)."""
        yield from self.changements
        for a in self.autorisations:
            avant = self.autorisations_avant.get(a.activite_id)
            yield self._ligne(imp_id, a.finess_eg, a.finess_ej, _resume_autorisation(avant) if avant else "",
                              _resume_autorisation(a._asdict()))
        for avant in self.autorisations_retirees.values():
            yield self._ligne(imp_id, avant["finess_eg"], avant["finess_ej"], _resume_autorisation(avant),
                              "retirée du flux activités")

    @property
    def nb_lignes_rapport(self) -> int:
        return len(self.changements) + len(self.autorisations) + len(self.autorisations_retirees)

    def _ligne(self, imp_id, finess_eg, finess_ej, avant, apres) -> dict:
        finess = finess_eg or finess_ej
        return {"import_finess_id": imp_id, "type": Changement.Type.AUTORISATION,
                "niveau": Niveau.EG if finess_eg else Niveau.EJ, "finess": finess,
                "nom": self.noms.get(finess, "")[:250], "structure_id": None, "champ": "autorisation",
                "libelle_champ": "autorisation FINESS", "avant": avant, "apres": apres}
    nb_autorisations: int = 0


def uos_proposees(categorie: str, autorisations_eg: list) -> list[dict]:
    """A new EG's units: one per regulated offer its authorisations allow, then its category's."""
    uos = []
    for p in regles.unites_proposees(autorisations_eg):
        uos.append({"nom": p["nom"], "discipline": p["discipline"], "type_uo_id": concept_id("J34", p["type_uo"]),
                    "champ_id": concept_id("J20", p["champ"]), "activites_j17": [p["activite"]],
                    "autorisation_activite_id": p["autorisation"]})
    for p in propositions(categorie):
        uos.append({"nom": p["nom"], "discipline": p["discipline"], "type_uo_id": concept_id("J34", p["type_uo"]),
                    "champ_id": concept_id("J20", p["champ"])})
    return uos


def planifier(extrait: Extrait, ref: Reference, departements: set[str] | None, imp: ImportFiness,
              autorisations_par_eg: dict[str, list] | None = None) -> Plan:
    """What the structures file changes. The JSON flux says each establishment's state:
    closures and reopenings follow it, never the absence of an EG (a partial file closes
    nothing). The CSV extract lists the open establishments only: one it no longer lists
    is closed, and the preview stops the import when that is more than the threshold."""
    plan = Plan()
    autorisations_par_eg = autorisations_par_eg or {}
    flux_json = isinstance(extrait, ExtraitJson)
    attnames = [schema.champ_modele(c).attname for c in CHAMPS_FINESS]
    existants = {}
    colonnes = ["pk", "finess", "ej__finess", *attnames]
    egs = Structure.objects.eg().exclude(finess="")
    if flux_json:  # only the EG read are compared (the CSV closes those it no longer lists)
        egs = restreint(egs, "finess", extrait.etablissements)
    for ligne in egs.values_list(*colonnes):
        valeurs = dict(zip(colonnes, ligne))
        existants[valeurs["finess"]] = valeurs
    ej_existantes = set(Structure.objects.ej().exclude(finess="")
                        .values_list("finess", flat=True))

    def changement(type_, niveau, finess, nom, structure_id=None, champ="", avant="", apres=""):
        plan.changements.append({
            "import_finess_id": imp.pk, "type": type_, "niveau": niveau, "finess": finess, "nom": nom[:250],
            "structure_id": structure_id, "champ": champ, "libelle_champ": schema.libelle(champ) if champ else "",
            "avant": avant, "apres": apres})

    ej_a_creer: dict[str, Etablissement] = {}
    for finess in sorted(extrait.etablissements):
        etab = extrait.etablissements[finess]
        actuel = existants.get(finess)
        if etab.ferme:
            # Closed in FINESS: closed here with FINESS's date; unknown here: nothing to create.
            if actuel is None:
                plan.ignores += 1
            elif actuel["etat"] != Etat.FERME:
                date_fermeture = etab.date_fermeture or extrait.date_extraction
                plan.modifications[actuel["pk"]] = {"etat": Etat.FERME, "date_fermeture": date_fermeture}
                plan.fermes += 1
                changement(Changement.Type.FERME, Niveau.EG, finess, actuel["nom"], actuel["pk"],
                           apres=f"fermé dans FINESS le {date_fermeture:%d/%m/%Y}")
            continue
        voulu = cible(etab, ref)
        if actuel is None:
            uos = uos_proposees(etab.categorie, autorisations_par_eg.get(finess, []))
            plan.uo_proposees += len(uos)
            plan.nouveaux_eg.append({"finess": finess, "ej_finess": etab.finess_ej, "uos": uos,
                                     **{a: voulu[c] for c, a in CHAMPS_COMPARES}})
            changement(Changement.Type.NOUVEAU, Niveau.EG, finess, voulu["nom"])
            if etab.finess_ej not in ej_existantes and etab.finess_ej not in ej_a_creer:
                ej_a_creer[etab.finess_ej] = etab
            continue
        courant = {c: actuel[a] for c, a in CHAMPS_COMPARES}
        diff = differences(courant, voulu)
        if actuel["etat"] == Etat.FERME:
            diff.update(etat=Etat.OUVERT, date_fermeture=None)
            plan.rouverts += 1
            changement(Changement.Type.ROUVERT, Niveau.EG, finess, voulu["nom"], actuel["pk"])
        modifie = False
        for champ, valeur in diff.items():
            if champ in {"etat", "date_fermeture"}:
                continue
            modifie = True
            changement(Changement.Type.MODIFIE, Niveau.EG, finess, voulu["nom"], actuel["pk"], champ,
                       ref.afficher(champ, courant[champ]), ref.afficher(champ, valeur))
        if actuel["ej__finess"] != etab.finess_ej:
            modifie = True
            plan.rattachements[actuel["pk"]] = etab.finess_ej
            changement(Changement.Type.MODIFIE, Niveau.EG, finess, voulu["nom"], actuel["pk"], "ej",
                       actuel["ej__finess"] or "", etab.finess_ej)
            if etab.finess_ej not in ej_existantes and etab.finess_ej not in ej_a_creer:
                ej_a_creer[etab.finess_ej] = etab
        plan.modifies += modifie
        if diff:
            plan.modifications[actuel["pk"]] = diff

    for ej_finess, etab in ej_a_creer.items():
        nom, siren, commune, departement = etab.rslongue or etab.rs, etab.siret[:9], etab.commune_insee, \
            etab.departement
        entite = extrait.entites.get(ej_finess) if flux_json else None
        if entite:  # the JSON flux describes the legal entity itself
            nom, siren = entite.nom or nom, entite.siren or siren
            commune, departement = entite.commune_insee or commune, entite.departement or departement
        plan.nouvelles_ej.append({"finess": ej_finess, "nom": nom[:250], "siren": siren,
                                  "commune_id": commune or None,
                                  "departement_id": departement if departement in ref.departements else None})
        changement(Changement.Type.NOUVEAU, Niveau.EJ, ej_finess, nom)

    if flux_json:
        return plan
    # CSV: vanished from the register: closed (never deleted), in the perimeter only.
    for finess, actuel in existants.items():
        if finess in extrait.numeros or actuel["etat"] == Etat.FERME:
            continue
        if departements is not None and actuel["departement_id"] not in departements:
            continue
        plan.modifications[actuel["pk"]] = {"etat": Etat.FERME, "date_fermeture": extrait.date_extraction}
        plan.absents.append(finess)
        plan.fermes += 1
        changement(Changement.Type.FERME, Niveau.EG, finess, actuel["nom"], actuel["pk"],
                   apres="absent de l'extraction FINESS")
    return plan


def ligne_registre(etab: Etablissement) -> dict:
    """FINESS's own view of an EG (EtablissementFiness), what the ANS indicators compare to."""
    return {"finess": etab.finess, "finess_ej": etab.finess_ej, "nom": (etab.rs or etab.rslongue)[:250],
            "categorie": etab.categorie[:4], "departement": (etab.departement or "")[:3],
            "date_ouverture": etab.date_ouverture, "date_fermeture": etab.date_fermeture if etab.ferme else None,
            "ferme": bool(etab.ferme), "cle_ban": etab.cle_ban, "score_ban": etab.score_ban,
            "date_maj": etab.date_maj}


CHAMPS_AUTORISATION = import_finess.CHAMPS_AUTORISATION


@functools.lru_cache(maxsize=4096)
def _libelle_autorisation(nature, activite, modalite, type_activite) -> str:
    """« Nature : activité – modalité », the same for thousands of activities: computed once."""
    objet = AutorisationFiness(nature=nature, activite=activite, modalite=modalite, type_activite=type_activite)
    return f"{objet.get_nature_display()} : {regles.libelle_autorisation(objet)}"


def _resume_autorisation(a: dict) -> str:
    dates = f"depuis le {a['date_debut']:%d/%m/%Y}" if a["date_debut"] else ""
    fin = a["date_fin_effective"] or a["date_fin"]
    if fin:
        dates += f" jusqu'au {fin:%d/%m/%Y}"
    etat = "" if a["active"] else " (inactive)"
    libelle = _libelle_autorisation(a["nature"], a["activite"], a["modalite"], a["type_activite"])
    return f"{libelle} {dates}{etat}".strip()


def planifier_autorisations(activites: ExtraitActivites, plan: Plan, noms: dict[str, str]) -> None:
    """New, changed and withdrawn activities of the structures the activités file covers:
    a structure it does not list keeps its authorisations (a partial file withdraws nothing)."""
    plan.nb_autorisations = len(activites.activites) + activites.nb_inchangees
    plan.noms = noms
    colonnes = ["pk", "activite_id", *CHAMPS_AUTORISATION]
    # The table read whole and filtered here: an IN list of ~100,000 numbers costs more, on
    # both sides, than the rows it would leave out.
    # Read with a plain cursor: Django's per-row converters (the capacities' JSON) cost
    # more than the rest of the comparison; most activities have no capacity ("[]").
    i_ej, i_eg, i_cap = colonnes.index("finess_ej"), colonnes.index("finess_eg"), colonnes.index("capacites")
    eg_couverts, ej_couvertes = activites.eg_couverts, activites.ej_couvertes
    existantes = {}
    requete, parametres = f"SELECT id, {', '.join(colonnes[1:])} FROM {AutorisationFiness._meta.db_table}", []
    if len(eg_couverts) + len(ej_couvertes) < PEU:  # few structures read: theirs only
        requete += " WHERE finess_eg = ANY(%s) OR (finess_eg = '' AND finess_ej = ANY(%s))"
        parametres = [list(eg_couverts), list(ej_couvertes)]
    with connection.chunked_cursor() as curseur:
        # psycopg's server-side cursor fetches 100 rows a round trip by default: ~2,500 of them
        # for a national table, each a wait on a loaded server.
        curseur.cursor.itersize = 20_000
        curseur.execute(requete, parametres)
        for ligne in curseur:
            if ligne[i_eg] in eg_couverts if ligne[i_eg] else ligne[i_ej] in ej_couvertes:
                capacites = ligne[i_cap]
                if isinstance(capacites, str):
                    capacites = [] if capacites == "[]" else json.loads(capacites)
                existantes[ligne[1]] = (*ligne[:i_cap], capacites, *ligne[i_cap + 1:])
    for a in activites.activites:
        actuelle = existantes.pop(a.activite_id, None)
        if actuelle is not None and actuelle[2:] == a[1:]:
            continue
        plan.autorisations.append(a)
        if actuelle is not None:
            plan.autorisations_avant[a.activite_id] = dict(zip(colonnes, actuelle))
    for ligne in existantes.values():  # no longer in the flux of the structures it covers
        plan.autorisations_retirees[ligne[0]] = dict(zip(colonnes, ligne))


def controle_autorisations() -> str:
    """A checksum of the whole authorisations table: the fingerprints of the activités flux
    hold only while the table is as the import that wrote them left it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), coalesce(sum(hashtext(a::text)::bigint), 0) "
                       f"FROM {AutorisationFiness._meta.db_table} a")
        return "%s-%s" % cursor.fetchone()


def empreintes_connues() -> tuple[str, dict]:
    """The authorisations' checksum and the fingerprints of the activités flux's elements as
    last applied (see EmpreinteActivites), none if the authorisations changed since."""
    controle = controle_autorisations()
    lignes = list(EmpreinteActivites.objects.values_list("empreinte", "finess_ej", "egs", "gardes", "ej_dedans", "nb",
                                                         "controle"))
    if not lignes or lignes[0][-1] != controle:
        return controle, {}
    return controle, {ligne[0]: ligne[1:-1] for ligne in lignes}


def enregistrer_empreintes_activites(extrait: ExtraitActivites, controle_inchange: str = "") -> None:
    """After the authorisations are written, in the same transaction: the fingerprints of the
    elements read and passed over (none after the checked reading: the next import reads all).
    `controle_inchange`: the table's checksum when this import wrote nothing (not computed again)."""
    controle = renouveler_empreintes(EmpreinteActivites, extrait.empreintes, extrait.inchangees,
                                     (lambda: controle_inchange) if controle_inchange else controle_autorisations)
    if controle:
        inserer_en_masse(EmpreinteActivites, None, (
            {"empreinte": empreinte, "finess_ej": ej, "egs": egs, "gardes": gardes, "ej_dedans": ej_dedans, "nb": nb,
             "controle": controle} for empreinte, (ej, egs, gardes, ej_dedans, nb) in extrait.empreintes.items()))


def renouveler_empreintes(modele, lues: dict | None, inchangees: dict, controle) -> str:
    """Keep the fingerprints of the elements passed over (under the checksum `controle()` as
    of now), drop the others; return that checksum for the rows of the elements read, or ""
    after the checked reading (no fingerprint: the next import reads every element)."""
    if lues is None:
        modele.objects.all().delete()
        return ""
    valeur = controle()
    with connection.cursor() as cursor:  # one array, not one parameter per fingerprint
        cursor.execute(f"DELETE FROM {modele._meta.db_table} WHERE NOT (empreinte = ANY(%s))", [list(inchangees)])
        cursor.execute(f"UPDATE {modele._meta.db_table} SET controle = %s WHERE controle <> %s", [valeur, valeur])
    return valeur


def empreintes_lignes_eg() -> dict[str, str]:
    """finess → a digest of the EG's row as an import writes it (FINESS fields, state, EJ)."""
    colonnes = ", ".join(f"s.{schema.champ_modele(c).column}" for c in CHAMPS_FINESS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.finess, md5(ROW({colonnes}, s.ej_id, s.niveau)::text) FROM {Structure._meta.db_table} s "
                       f"WHERE s.niveau = %s AND s.finess <> ''", [Niveau.EG])
        return dict(cursor.fetchall())


def controle_structures(departements: set[str] | None, ref: Reference) -> str:
    """What the structures fingerprints also depend on: the perimeter, the nomenclatures read,
    FINESS's register (written by imports only: a CSV import moves it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), coalesce(sum(hashtext(r::text)::bigint), 0) "
                       f"FROM {EtablissementFiness._meta.db_table} r")
        registre = "%s-%s" % cursor.fetchone()
    contexte = repr((sorted(departements) if departements is not None else None, registre,
                     sorted(ref.categories.items()), sorted(ref.types_voie.items()), len(ref.communes)))
    return hashlib.sha256(contexte.encode()).hexdigest()


def structures_connues(departements: set[str] | None, ref: Reference) -> tuple[str, dict]:
    """The context's checksum and the fingerprints of the structures flux's elements whose EG
    rows are still as the import that stored them left them."""
    controle = controle_structures(departements, ref)
    lignes = list(EmpreinteStructures.objects.filter(controle=controle).values_list("empreinte", "finess_ej", "egs",
                                                                                     "gardes"))
    if not lignes:
        return controle, {}
    actuelles = empreintes_lignes_eg()
    connues = {}
    for empreinte, ej, egs, gardes in lignes:
        if all(actuelles.get(g.split("|")[0], "") == g.split("|")[3] for g in gardes.split()):
            connues[empreinte] = (ej, egs, gardes)
    return controle, connues


def enregistrer_empreintes_structures(extrait: ExtraitJson, departements, ref: Reference,
                                      controle_inchange: str = "") -> None:
    """After the import is written, in the same transaction: the fingerprints of the elements
    read (with their EG rows as now written) and of those passed over. `controle_inchange`:
    the context's checksum when this import wrote no structure and no register row."""
    controle = renouveler_empreintes(EmpreinteStructures, extrait.empreintes, extrait.inchangees,
                                     (lambda: controle_inchange) if controle_inchange
                                     else lambda: controle_structures(departements, ref))
    if controle and extrait.empreintes:
        actuelles = empreintes_lignes_eg()
        inserer_en_masse(EmpreinteStructures, None, (
            {"empreinte": empreinte, "finess_ej": ej, "egs": egs, "controle": controle,
             "gardes": " ".join(f"{eg}|{dep}|{int(ferme)}|{actuelles.get(eg, '')}" for eg, dep, ferme in gardes)}
            for empreinte, (ej, egs, gardes) in extrait.empreintes.items()))


def seuil_fermetures() -> float:
    return float(getattr(settings, "FINESS_SEUIL_FERMETURES", 0.02))


def motifs_de_confirmation(plan: Plan, extrait: Extrait | None, departements: set[str] | None) -> list[str]:
    """Why this import must wait for a gestionnaire: it closes more than the threshold of the
    perimeter's open establishments, or the file covers fewer départements than the perimeter."""
    if extrait is None:
        return []
    motifs = []
    ouverts = Structure.objects.eg().exclude(finess="").filter(etat=Etat.OUVERT)
    if departements is not None:
        ouverts = ouverts.filter(departement_id__in=departements)
    nb_ouverts = ouverts.count()
    seuil = seuil_fermetures()
    if plan.fermes and plan.fermes > seuil * nb_ouverts:
        motifs.append(f"il fermerait {plan.fermes} établissement(s) sur les {nb_ouverts} ouverts du périmètre "
                      f"({plan.fermes / max(nb_ouverts, 1):.1%}, au-delà du seuil de {seuil:.0%})")
    attendus = set(departements) if departements is not None else set(
        ouverts.exclude(departement_id=None).values_list("departement_id", flat=True).distinct())
    couverts = getattr(extrait, "departements_couverts", None)
    if couverts is None:
        couverts = {e.departement for e in extrait.etablissements.values()}
    manquants = attendus - couverts
    if attendus and manquants:
        motifs.append(f"le fichier ne couvre que {len(attendus & couverts)} département(s) sur les {len(attendus)} "
                      f"du périmètre (absents : {', '.join(sorted(manquants)[:20])}"
                      f"{'…' if len(manquants) > 20 else ''})")
    return motifs


def empreinte_changements(changements) -> str:
    h = hashlib.sha256()
    for c in changements:
        h.update("|".join(str(c[k]) for k in ("type", "niveau", "finess", "champ", "avant", "apres")).encode())
        h.update(b"\n")
    return h.hexdigest()


def raison(date_extraction) -> str:
    return f"Import FINESS du {date_extraction:%d/%m/%Y}"


@contextmanager
def ouvrir(source):
    """A seekable binary stream on bytes, a path or an open file."""
    if source is None:
        yield None
    elif isinstance(source, (bytes, bytearray)):
        yield io.BytesIO(source)
    elif isinstance(source, (str, Path)):
        with open(source, "rb") as f:
            yield f
    else:
        source.seek(0)
        yield source


def sorte_de(flux) -> str:
    """csv, structures or activites, from the first bytes (a JSON document starts with « { »)."""
    debut = flux.read(4096)
    flux.seek(0)
    debut = debut.lstrip(b"\xef\xbb\xbf \t\r\n")
    if debut[:1] in (b"{", b"["):
        return lire_en_tete(flux).sorte
    if not debut or debut[:6].lower() == b"finess":
        return "csv"
    raise FichierInvalide("ce n'est pas un fichier JSON (flux FINESS) ni une extraction CSV FINESS "
                          "(« finess;etalab;… »)")


def empreinte(*flux) -> str:
    h = hashlib.sha256()
    for f in flux:
        if f is None:
            continue
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
        f.seek(0)
    return h.hexdigest()


def _perimetre_activites(extrait: Extrait | None, departements: set[str] | None):
    """Which structures' activities an import keeps: all, or those of the région's EG (from
    the structures file of the same run, FINESS's register as last imported, the Répertoire)."""
    if departements is None:
        return lambda ej, eg: True
    egs = set(EtablissementFiness.objects.filter(departement__in=departements).values_list("finess", flat=True))
    ejs = set(EtablissementFiness.objects.filter(departement__in=departements).values_list("finess_ej", flat=True))
    for finess, ej in Structure.objects.eg().filter(departement_id__in=departements).exclude(finess="") \
            .values_list("finess", "ej__finess"):
        egs.add(finess)
        ejs.add(ej)
    if extrait is not None:
        for e in extrait.etablissements.values():
            egs.add(e.finess)
            ejs.add(e.finess_ej)
    return lambda ej, eg: (eg in egs) if eg else (ej in ejs)


def alerter_gestionnaires(imp: ImportFiness) -> None:
    """The scheduled import stopped at the preview: tell the gestionnaires (it never closes
    past the threshold on its own)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from repertoire import access

    destinataires = [u.email for u in get_user_model().objects.filter(is_active=True).exclude(email="")
                     if access.peut(u, access.ADMINISTRER)]
    if not destinataires:
        return
    send_mail(f"[ROR] Import FINESS planifié à confirmer ({imp.cree_le:%d/%m/%Y})",
              "L'import FINESS planifié s'est arrêté à l'aperçu, sans rien modifier :\n- "
              + "\n- ".join(imp.motifs_confirmation.splitlines())
              + f"\n\nConsultez l'aperçu et confirmez ou annulez : {getattr(settings, 'ROR_URL_PUBLIQUE', '')}{imp.get_absolute_url()}",
              None, destinataires, fail_silently=True)


def executer(imp: ImportFiness, contenu=None, progres=None, *, activites=None, confirme: bool = False) -> ImportFiness:
    """Run the import `imp`: a structures file `contenu` (CSV extract or JSON flux) and/or the
    JSON activités flux `activites` (bytes, a path or an open binary file).

    Every run first computes its report without writing. It stops at the preview (statut
    « À confirmer », nothing written) when it would close more than the threshold of the
    perimeter's establishments or the file covers fewer départements than the perimeter,
    unless `confirme` (a gestionnaire confirmed exactly this preview). Never raises for a
    bad file: the run ends « Refusé » with the line or element and the reason."""
    progres = progres or (lambda fraction, etape: None)
    departements = perimetre_configure()
    try:
        with ouvrir(contenu) as flux, ouvrir(activites) as flux_activites:
            sortes = []
            try:
                for f in (flux, flux_activites):
                    if f is not None:
                        sortes.append(sorte_de(f))
            except FichierInvalide:
                sortes.append("json invalide")
                raise
            finally:
                ImportFiness.objects.filter(pk=imp.pk).update(
                    statut=ImportFiness.Statut.EN_COURS, perimetre=libelle_perimetre(departements),
                    format=" + ".join(sortes)[:30], empreinte=empreinte(flux, flux_activites))
            if len(set(sortes)) != len(sortes):
                raise FichierInvalide(f"deux fichiers du même flux ({sortes[0]}) : attendu le flux structures "
                                      "et le flux activités")
            if "csv" in sortes and len(sortes) > 1:
                raise FichierInvalide("l'extraction CSV s'importe seule (le flux activités est en JSON)")
            par_sorte = dict(zip(sortes, [f for f in (flux, flux_activites) if f is not None]))
            with sans_ramasse_miettes():
                imp = _executer(imp, par_sorte, departements, progres, confirme)
    except FichierInvalide as erreur:
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.ECHEC, termine_le=timezone.now(), erreur=erreur.raison,
            ligne_erreur=erreur.ligne, element_erreur=erreur.element[:300])
    except Exception as erreur:  # an unexpected failure must still end the run visibly
        logger.exception("Import FINESS %s en échec", imp.pk)
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.ECHEC, termine_le=timezone.now(),
            erreur=f"Erreur inattendue pendant l'import, rien n'a été modifié ({type(erreur).__name__}).")
    progres(1.0, "Terminé")
    imp.refresh_from_db()
    if imp.a_confirmer and imp.origine == ImportFiness.Origine.PLANIFIE:
        alerter_gestionnaires(imp)
    return imp


@contextmanager
def sans_ramasse_miettes():
    """Reading a national flux makes millions of small objects, none in a cycle: the cyclic
    collector, run again and again over a heap that only grows, cost about a third of the
    import's CPU time. It is paused for the run (reference counting still frees everything)."""
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


def _executer(imp, par_sorte: dict, departements, progres, confirme: bool) -> ImportFiness:
    imp.refresh_from_db()
    ref = Reference.charger()
    referentiel = Referentiel(categories=set(ref.categories), communes=ref.communes, departements=departements)
    extrait = None
    if "csv" in par_sorte:
        extrait = lire_extrait(par_sorte["csv"].read(), referentiel, lambda f, e: progres(0.4 * f, e))
    elif "structures" in par_sorte:
        controle_s, connues_s = structures_connues(departements, ref)
        extrait = lire_structures(par_sorte["structures"], referentiel, lambda f, e: progres(0.3 * f, e),
                                  connues=connues_s)
    extrait_activites = None
    if "activites" in par_sorte:
        perimetre_activites = _perimetre_activites(extrait, departements)
        controle, connues = empreintes_connues()
        extrait_activites = lire_activites(par_sorte["activites"], perimetre_activites,
                                           lambda f, e: progres(0.3 + 0.1 * f, e), connues=connues)
    date_extraction = (extrait or extrait_activites).date_extraction
    progres(0.4, "Comparaison avec le Répertoire")
    with transaction.atomic():
        with connection.cursor() as cursor:  # one import at a time: the second waits for the first
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERROU_IMPORT])
        if isinstance(extrait, ExtraitJson) and extrait.inchangees and \
                controle_structures(departements, ref) != controle_s:
            # Another import wrote while this one read (see below): read again, every element.
            par_sorte["structures"].seek(0)
            extrait = lire_structures(par_sorte["structures"], referentiel)
            controle_s = ""
        if extrait_activites is not None and extrait_activites.inchangees and controle_autorisations() != controle:
            # Another import wrote the authorisations while this one read: what it passed over
            # may no longer be stored as its file says. Read again, every element.
            par_sorte["activites"].seek(0)
            extrait_activites = lire_activites(par_sorte["activites"], perimetre_activites)
            controle = ""
        # The regulated authorisations of each EG, for the units proposed to a new one.
        autorisations_par_eg: dict[str, list] = {}
        if extrait_activites is not None:
            for a in extrait_activites.activites:
                if a.exercee and regles.offre_de(a) is not None:
                    autorisations_par_eg.setdefault(a.finess_eg, []).append(a)
        if extrait is not None:
            # New EG the activités flux of this run does not cover: the authorisations already
            # stored for them (an activités flux imported before). Sets, not IN lists of 100,000.
            couverts = extrait_activites.eg_couverts if extrait_activites is not None else set()
            candidats = set(extrait.etablissements) - couverts
            if candidats:
                candidats -= set(restreint(Structure.objects.eg(), "finess", candidats).values_list("finess", flat=True))
            if len(candidats) >= PEU:
                candidats &= set(AutorisationFiness.objects.filter(exercee=True).exclude(finess_eg="")
                                 .values_list("finess_eg", flat=True).distinct())
            for a in AutorisationFiness.objects.filter(finess_eg__in=candidats, exercee=True):
                if a.finess_eg not in autorisations_par_eg:
                    autorisations_par_eg.setdefault(a.finess_eg, []).append(a)
            plan = planifier(extrait, ref, departements, imp, autorisations_par_eg)
        else:
            plan = Plan()
        if extrait_activites is not None:
            noms = {e.finess: e.rs for e in extrait.etablissements.values()} if extrait else {}
            sans_nom = {a.finess_eg or a.finess_ej for a in extrait_activites.activites} - set(noms)
            if sans_nom:  # not read from the structures flux (absent, or passed over unchanged)
                noms.update(Structure.objects.exclude(finess="").filter(finess__in=sans_nom)
                            .values_list("finess", "nom"))
            planifier_autorisations(extrait_activites, plan, noms)
        motifs = motifs_de_confirmation(plan, extrait, departements)
        # What the preview showed, to confirm exactly that (only an import that stops needs it:
        # a first national import's 400,000 report rows are not formatted once more for nothing).
        empreinte_plan = empreinte_changements(plan.lignes_rapport(imp.pk)) if motifs else ""
        if motifs and confirme and imp.empreinte_apercu and imp.empreinte_apercu != empreinte_plan:
            motifs.insert(0, "le Répertoire ou le fichier a changé depuis l'aperçu confirmé : voici le nouvel aperçu")
            confirme = False
        compteurs = dict(
            date_extraction=date_extraction, nb_lignes=(extrait or extrait_activites).nb_lignes,
            nb_etablissements=len(extrait.etablissements) + getattr(extrait, "nb_inchanges", 0) if extrait else 0,
            nb_nouveaux=sum(1 for c in plan.changements if c["type"] == Changement.Type.NOUVEAU),
            nb_modifies=plan.modifies, nb_fermes=plan.fermes, nb_rouverts=plan.rouverts,
            nb_uo_proposees=plan.uo_proposees,
            nb_ignores=plan.ignores + getattr(extrait, "nb_ignores_inchanges", 0), nb_autorisations=plan.nb_autorisations,
            nb_autorisations_modifiees=len(plan.autorisations),
            nb_autorisations_retirees=len(plan.autorisations_retirees))
        imp.changements.all().delete()  # a confirmed run replaces its preview's report
        if motifs and not confirme:
            # The preview: the report of what would change, nothing else written.
            inserer_en_masse(Changement, None, plan.lignes_rapport(imp.pk))
            ImportFiness.objects.filter(pk=imp.pk).update(
                statut=ImportFiness.Statut.A_CONFIRMER, termine_le=timezone.now(),
                motifs_confirmation="\n".join(motifs), empreinte_apercu=empreinte_plan, **compteurs)
            return imp
        progres(0.5, "Écriture des changements")
        # New activities by COPY, changed ones by upsert.
        avant = plan.autorisations_avant
        import_finess.enregistrer_autorisations((a._asdict() for a in plan.autorisations if a.activite_id in avant),
                                                retirees=list(plan.autorisations_retirees))
        import_finess.enregistrer_autorisations((a._asdict() for a in plan.autorisations
                                                 if a.activite_id not in avant),
                                                nouvelles=True, nombre=len(plan.autorisations) - len(avant))
        if extrait_activites is not None:
            enregistrer_empreintes_activites(extrait_activites, "" if plan.autorisations or plan.autorisations_retirees
                                             else controle)
        servies = {uo["autorisation_activite_id"] for eg in plan.nouveaux_eg for uo in eg["uos"]
                   if uo.get("autorisation_activite_id")}
        pks = dict(AutorisationFiness.objects.filter(activite_id__in=servies).values_list("activite_id", "pk"))
        for eg in plan.nouveaux_eg:
            for uo in eg["uos"]:
                activite_id = uo.pop("autorisation_activite_id", None)
                if activite_id:
                    uo["autorisation_id"] = pks.get(activite_id)
        crees = import_finess.appliquer_import_finess(
            imp.par, raison(date_extraction), nouvelles_ej=plan.nouvelles_ej, nouveaux_eg=plan.nouveaux_eg,
            modifications=plan.modifications, rattachements=plan.rattachements,
            progres=lambda f, e: progres(0.5 + 0.45 * f, e))
        ecrits_registre = 0
        if extrait is not None:  # rows made as they are written (~103,000: not kept in the plan)
            progres(0.95, "Registre FINESS")
            ecrits_registre = import_finess.enregistrer_registre_finess((ligne_registre(e) for e in extrait.etablissements.values()),
                                                      absents=plan.absents, date_absence=date_extraction,
                                                      parmi=extrait.etablissements)
        if isinstance(extrait, ExtraitJson):
            import_finess.enregistrer_entites_finess(
                {"finess": e.finess, "pm_smsse_id": e.pm_smsse_id, "nom": e.nom[:250]}
                for e in extrait.entites.values() if e.pm_smsse_id)
            compteurs["nb_groupements"] = sum(synchroniser_groupements_finess(imp.par, extrait.groupements,
                                                                              raison(date_extraction)))
            rien_ecrit = not (ecrits_registre or plan.nouvelles_ej or plan.nouveaux_eg or plan.modifications
                              or plan.rattachements)
            enregistrer_empreintes_structures(extrait, departements, ref, controle_s if rien_ecrit else "")
        for c in plan.changements:
            if c["structure_id"] is None:
                c["structure_id"] = crees.get(c["finess"])
        progres(0.97, "Rapport d'import")
        with chargement_massif([Changement], plan.nb_lignes_rapport):
            inserer_en_masse(Changement, None, plan.lignes_rapport(imp.pk))
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.TERMINE, termine_le=timezone.now(), motifs_confirmation="\n".join(motifs),
            **compteurs)
    return imp


def importer_fichier(chemin: Path | str | None, *, par=None, origine=ImportFiness.Origine.COMMANDE,
                     progres=None, activites: Path | str | None = None, confirme: bool = False) -> ImportFiness:
    """Import a file from disk (management command, daily schedule): a CSV extract, the JSON
    structures flux, and/or the JSON activités flux."""
    principal = Path(chemin) if chemin else Path(activites)
    imp = ImportFiness.objects.create(par=par, origine=origine, chemin=str(principal), nom_fichier=principal.name[:255],
                                      chemin_activites=str(activites) if chemin and activites else "")
    return executer(imp, Path(chemin) if chemin else None, progres,
                    activites=Path(activites) if activites else None, confirme=confirme)
