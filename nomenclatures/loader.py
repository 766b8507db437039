"""Reading the ANS NOS files (both formats) and loading them, all or nothing.

- `*.tabs`: optional two metadata lines, then a header `<OID>;<Code>;<Libellé>` (JDV)
  or `<OID>;<Code>;<Libellé adapté>;<Libellé court>;<Libellé long>;<Date valid>;<Date fin>;<Date MàJ>` (TRE).
- `*.csv`: header `code;libelle[;system]`.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction

from . import cache
from .models import Concept, Nomenclature
from .signals import referentiels_charges

NOM_FICHIER = re.compile(r"^(?P<type>JDV|TRE)_(?P<cle>[JR]\d+)-(?P<nom>[^.]+)\.(tabs|csv)$")
# Code systems of the CSV files that carry none (README of the NOS extract).
SYSTEMES_PAR_DEFAUT = {"J17": "TRE_R211-ActiviteOperationnelle"}


class FichierInvalide(Exception):
    def __init__(self, fichier: str, ligne: int | None, raison: str):
        self.fichier, self.ligne, self.raison = fichier, ligne, raison
        where = f"{fichier}, ligne {ligne}" if ligne else fichier
        super().__init__(f"{where} : {raison}")


@dataclass
class LigneConcept:
    systeme: str
    code: str
    libelle: str
    libelle_court: str = ""
    date_debut: date | None = None
    date_fin: date | None = None


@dataclass
class FichierNos:
    cle: str
    type: str
    nom_fichier: str
    libelle: str = ""
    oid: str = ""
    url: str = ""
    concepts: list[LigneConcept] = field(default_factory=list)


@dataclass
class Bilan:
    crees: int = 0
    modifies: int = 0
    retires: int = 0
    par_fichier: dict = field(default_factory=dict)

    @property
    def changements(self) -> int:
        return self.crees + self.modifies + self.retires


def _date_nos(valeur: str, fichier: str, ligne: int) -> date | None:
    valeur = valeur.strip()
    if not valeur:
        return None
    if not re.fullmatch(r"\d{8}(\d{6})?", valeur):
        raise FichierInvalide(fichier, ligne, f"date illisible « {valeur} » (attendu AAAAMMJJhhmmss)")
    try:
        return date(int(valeur[:4]), int(valeur[4:6]), int(valeur[6:8]))
    except ValueError:
        raise FichierInvalide(fichier, ligne, f"date impossible « {valeur} »") from None


def _nettoyer_systeme(valeur: str) -> str:
    return re.sub(r"\s*\(.*\)\s*$", "", valeur.strip())


def lire_fichier(path: Path) -> FichierNos:
    nom = path.name
    match = NOM_FICHIER.match(nom)
    if not match:
        raise FichierInvalide(nom, None, "nom de fichier non reconnu (attendu JDV_Jxx-… ou TRE_Rxxx-…)")
    try:
        texte = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        texte = path.read_text(encoding="cp1252")
    lignes = list(csv.reader(texte.splitlines(), delimiter=";", quotechar='"'))
    fichier = FichierNos(cle=match["cle"], type=match["type"], nom_fichier=nom)
    if not lignes:
        raise FichierInvalide(nom, 1, "fichier vide")
    if path.suffix == ".csv":
        return _lire_csv(fichier, lignes)
    return _lire_tabs(fichier, lignes)


def _lire_csv(fichier: FichierNos, lignes: list[list[str]]) -> FichierNos:
    entete = [c.strip().lower() for c in lignes[0]]
    if entete[:2] != ["code", "libelle"]:
        raise FichierInvalide(fichier.nom_fichier, 1, "en-tête attendu « code;libelle[;system] »")
    for numero, ligne in enumerate(lignes[1:], start=2):
        if not any(c.strip() for c in ligne):
            continue
        if len(ligne) != len(entete):
            raise FichierInvalide(fichier.nom_fichier, numero,
                                  f"{len(ligne)} colonnes au lieu de {len(entete)}")
        code, libelle = ligne[0].strip(), ligne[1].strip()
        if not code or not libelle:
            raise FichierInvalide(fichier.nom_fichier, numero, "code ou libellé vide")
        systeme = _nettoyer_systeme(ligne[2]) if len(ligne) > 2 else SYSTEMES_PAR_DEFAUT.get(fichier.cle, fichier.cle)
        fichier.concepts.append(LigneConcept(systeme=systeme, code=code, libelle=libelle))
    return fichier


def _lire_tabs(fichier: FichierNos, lignes: list[list[str]]) -> FichierNos:
    debut = 0
    if lignes[0] and lignes[0][0] == "<OID>" and len(lignes[0]) > 1 and lignes[0][1] == "<Type fichier>":
        if len(lignes) < 3:
            raise FichierInvalide(fichier.nom_fichier, 2, "métadonnées incomplètes")
        meta = lignes[1]
        fichier.oid = meta[0].strip()
        fichier.libelle = meta[3].strip() if len(meta) > 3 else ""
        fichier.url = meta[4].strip() if len(meta) > 4 else ""
        debut = 2
    entete = lignes[debut]
    if not entete or entete[0] != "<OID>" or len(entete) < 3 or entete[1] != "<Code>":
        raise FichierInvalide(fichier.nom_fichier, debut + 1, "en-tête attendu « <OID>;<Code>;<Libellé>… »")
    format_tre = len(entete) >= 8
    for numero, ligne in enumerate(lignes[debut + 1:], start=debut + 2):
        if not any(c.strip() for c in ligne):
            continue
        if len(ligne) != len(entete):
            raise FichierInvalide(fichier.nom_fichier, numero, f"{len(ligne)} colonnes au lieu de {len(entete)}")
        systeme, code, libelle = ligne[0].strip(), ligne[1].strip(), ligne[2].strip()
        if not systeme or not code or not libelle:
            raise FichierInvalide(fichier.nom_fichier, numero, "OID, code ou libellé vide")
        concept = LigneConcept(systeme=systeme, code=code, libelle=libelle)
        if format_tre:
            concept.libelle_court = ligne[3].strip()
            concept.date_debut = _date_nos(ligne[5], fichier.nom_fichier, numero)
            concept.date_fin = _date_nos(ligne[6], fichier.nom_fichier, numero)
        fichier.concepts.append(concept)
    if not fichier.concepts:
        raise FichierInvalide(fichier.nom_fichier, None, "aucun code dans le fichier")
    return fichier


def lire_dossier(dossier: Path) -> list[FichierNos]:
    chemins = sorted(p for p in Path(dossier).iterdir() if p.suffix in {".tabs", ".csv"})
    if not chemins:
        raise FichierInvalide(str(dossier), None, "aucun fichier .tabs ou .csv")
    fichiers = [lire_fichier(p) for p in chemins]
    vus = {}
    for f in fichiers:
        cles = [(c.systeme, c.code) for c in f.concepts]
        if len(cles) != len(set(cles)):
            raise FichierInvalide(f.nom_fichier, None, "un code apparaît deux fois")
        if f.cle in vus:
            raise FichierInvalide(f.nom_fichier, None, f"même jeu de valeurs que {vus[f.cle]}")
        vus[f.cle] = f.nom_fichier
    return fichiers


@transaction.atomic
def charger(fichiers: list[FichierNos]) -> Bilan:
    """Load parsed files: create, update labels, retire (never delete). Idempotent."""
    bilan = Bilan()
    for f in fichiers:
        nomenclature, _ = Nomenclature.objects.update_or_create(
            cle=f.cle, defaults={"type": f.type, "nom_fichier": f.nom_fichier, "libelle": f.libelle,
                                 "oid": f.oid, "url": f.url})
        existants = {(c.systeme, c.code): c for c in Concept.objects.filter(nomenclature=nomenclature)}
        crees = modifies = retires = 0
        nouveaux = []
        for ligne in f.concepts:
            actif = ligne.date_fin is None or ligne.date_fin > date.today()
            valeurs = {"libelle": ligne.libelle, "libelle_court": ligne.libelle_court,
                       "date_debut": ligne.date_debut, "date_fin": ligne.date_fin, "actif": actif}
            concept = existants.pop((ligne.systeme, ligne.code), None)
            if concept is None:
                nouveaux.append(Concept(nomenclature=nomenclature, systeme=ligne.systeme, code=ligne.code, **valeurs))
                crees += 1
            elif any(getattr(concept, k) != v for k, v in valeurs.items()):
                if concept.actif and not actif:
                    retires += 1
                else:
                    modifies += 1
                for k, v in valeurs.items():
                    setattr(concept, k, v)
                concept.save()
        Concept.objects.bulk_create(nouveaux)
        # Codes gone from the file stay (structures may use them) but become inactive.
        disparus = [c.pk for c in existants.values() if c.actif]
        retires += Concept.objects.filter(pk__in=disparus).update(actif=False)
        bilan.crees += crees
        bilan.modifies += modifies
        bilan.retires += retires
        bilan.par_fichier[f.nom_fichier] = {"codes": len(f.concepts), "crees": crees, "modifies": modifies,
                                            "retires": retires}
    transaction.on_commit(cache.vider)
    transaction.on_commit(lambda: referentiels_charges.send(sender=Concept))
    return bilan
