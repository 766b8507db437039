"""One FINESS import: read and check the whole file, compare it with the Répertoire,
apply the differences through repertoire.services in one transaction, write the report.

All or nothing: a defective file changes nothing and the run says which line and why.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nomenclatures.cache import concept_id
from nomenclatures.models import Commune, Concept, Departement
from repertoire.models import Etat, Niveau, Structure
from repertoire.services import import_finess
from socle.ecriture import inserer_en_masse

from .finess import Etablissement, Extrait, FichierInvalide, Referentiel, lire_extrait
from .models import Changement, ImportFiness
from .propositions import propositions

logger = logging.getLogger(__name__)

# Field → label in the report (the attname is used for the comparison).
LIBELLES = {
    "nom": "nom", "nom_officiel": "nom officiel", "numero_voie": "numéro de voie", "type_voie": "type de voie",
    "voie": "voie", "complement_adresse": "complément d'adresse", "lieu_dit": "lieu-dit / boîte postale",
    "code_postal": "code postal", "commune": "commune", "departement": "département", "telephone": "téléphone",
    "fax": "fax", "categorie": "catégorie d'établissement", "siret": "SIRET", "date_ouverture": "date d'ouverture",
    "latitude": "latitude", "longitude": "longitude", "etat": "état", "date_fermeture": "date de fermeture",
    "ej": "entité juridique",
}
CHAMPS_ADRESSE = ("numero_voie", "type_voie", "voie", "complement_adresse", "lieu_dit")
VERROU_IMPORT = 7_007_001  # PostgreSQL advisory lock key of FINESS imports
# A position that moved less than about half a metre has not moved (projection round trips).
TOLERANCE_DEGRES = 5e-6
CLES_FK = {"type_voie", "commune", "departement", "categorie"}


def _attname(champ: str) -> str:
    return f"{champ}_id" if champ in CLES_FK else champ


CHAMPS_COMPARES = [(c, _attname(c)) for c in LIBELLES if c not in {"ej", "etat", "date_fermeture"}]


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


def planifier(extrait: Extrait, ref: Reference, departements: set[str] | None, imp: ImportFiness) -> Plan:
    plan = Plan()
    attnames = [_attname(c) for c in LIBELLES if c != "ej"]
    existants = {}
    colonnes = ["pk", "finess", "ej__finess", *attnames]
    for ligne in Structure.objects.filter(niveau=Niveau.EG).exclude(finess="").values_list(*colonnes):
        valeurs = dict(zip(colonnes, ligne))
        existants[valeurs["finess"]] = valeurs
    ej_existantes = set(Structure.objects.filter(niveau=Niveau.EJ).exclude(finess="")
                        .values_list("finess", flat=True))

    def changement(type_, niveau, finess, nom, structure_id=None, champ="", avant="", apres=""):
        plan.changements.append({
            "import_finess_id": imp.pk, "type": type_, "niveau": niveau, "finess": finess, "nom": nom[:250],
            "structure_id": structure_id, "champ": champ, "libelle_champ": LIBELLES.get(champ, champ),
            "avant": avant, "apres": apres})

    ej_a_creer: dict[str, Etablissement] = {}
    for finess in sorted(extrait.etablissements):
        etab = extrait.etablissements[finess]
        voulu = cible(etab, ref)
        actuel = existants.get(finess)
        if actuel is None:
            uos = []
            for p in propositions(etab.categorie):
                uos.append({"nom": p["nom"], "discipline": p["discipline"],
                            "type_uo_id": concept_id("J34", p["type_uo"]),
                            "champ_id": concept_id("J20", p["champ"])})
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
        nom = etab.rslongue or etab.rs
        plan.nouvelles_ej.append({"finess": ej_finess, "nom": nom, "siren": etab.siret[:9],
                                  "commune_id": etab.commune_insee or None,
                                  "departement_id": etab.departement if etab.departement in ref.departements
                                  else None})
        changement(Changement.Type.NOUVEAU, Niveau.EJ, ej_finess, nom)

    # Vanished from the register: closed (never deleted), in the perimeter only.
    for finess, actuel in existants.items():
        if finess in extrait.numeros or actuel["etat"] == Etat.FERME:
            continue
        if departements is not None and actuel["departement_id"] not in departements:
            continue
        plan.modifications[actuel["pk"]] = {"etat": Etat.FERME, "date_fermeture": extrait.date_extraction}
        plan.fermes += 1
        changement(Changement.Type.FERME, Niveau.EG, finess, actuel["nom"], actuel["pk"],
                   apres="absent de l'extraction FINESS")
    return plan


def raison(extrait: Extrait) -> str:
    return f"Import FINESS du {extrait.date_extraction:%d/%m/%Y}"


def executer(imp: ImportFiness, contenu: bytes, progres=None) -> ImportFiness:
    """Run the import `imp` on the file content. Never raises for a bad file: the run
    ends "Refusé" with the line and the reason, and nothing is changed."""
    progres = progres or (lambda fraction, etape: None)
    departements = perimetre_configure()
    ImportFiness.objects.filter(pk=imp.pk).update(
        statut=ImportFiness.Statut.EN_COURS, perimetre=libelle_perimetre(departements),
        empreinte=hashlib.sha256(contenu).hexdigest())
    imp.refresh_from_db()
    try:
        ref = Reference.charger()
        referentiel = Referentiel(categories=set(ref.categories), communes=ref.communes, departements=departements)
        extrait = lire_extrait(contenu, referentiel, lambda f, e: progres(0.4 * f, e))
        progres(0.4, "Comparaison avec le Répertoire")
        with transaction.atomic():
            with connection.cursor() as cursor:  # one import at a time: the second waits for the first
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERROU_IMPORT])
            plan = planifier(extrait, ref, departements, imp)
            progres(0.5, "Écriture des changements")
            crees = import_finess.appliquer_import_finess(
                imp.par, raison(extrait), nouvelles_ej=plan.nouvelles_ej, nouveaux_eg=plan.nouveaux_eg,
                modifications=plan.modifications, rattachements=plan.rattachements,
                progres=lambda f, e: progres(0.5 + 0.45 * f, e))
            for c in plan.changements:
                if c["structure_id"] is None:
                    c["structure_id"] = crees.get(c["finess"])
            inserer_en_masse(Changement, None, plan.changements)
            ImportFiness.objects.filter(pk=imp.pk).update(
                statut=ImportFiness.Statut.TERMINE, termine_le=timezone.now(),
                date_extraction=extrait.date_extraction, nb_lignes=extrait.nb_lignes,
                nb_etablissements=len(extrait.etablissements),
                nb_nouveaux=sum(1 for c in plan.changements if c["type"] == Changement.Type.NOUVEAU),
                nb_modifies=plan.modifies, nb_fermes=plan.fermes, nb_rouverts=plan.rouverts,
                nb_uo_proposees=plan.uo_proposees)
    except FichierInvalide as erreur:
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.ECHEC, termine_le=timezone.now(), erreur=erreur.raison,
            ligne_erreur=erreur.ligne)
    except Exception as erreur:  # an unexpected failure must still end the run visibly
        logger.exception("Import FINESS %s en échec", imp.pk)
        ImportFiness.objects.filter(pk=imp.pk).update(
            statut=ImportFiness.Statut.ECHEC, termine_le=timezone.now(),
            erreur=f"Erreur inattendue pendant l'import, rien n'a été modifié ({type(erreur).__name__}).")
    progres(1.0, "Terminé")
    imp.refresh_from_db()
    return imp


def importer_fichier(chemin: Path | str, *, par=None, origine=ImportFiness.Origine.COMMANDE,
                     progres=None) -> ImportFiness:
    """Import a file from disk (management command, weekly schedule)."""
    chemin = Path(chemin)
    imp = ImportFiness.objects.create(par=par, origine=origine, chemin=str(chemin), nom_fichier=chemin.name)
    return executer(imp, chemin.read_bytes(), progres)
