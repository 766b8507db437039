"""Writing files in the exact format of the FINESS extract (etalab-cs1100507).

Used to build a synthetic national file for benchmarks (about 103,000 EG, real
communes, projected coordinates as FINESS gives them) and, in the demo, an extract
that reflects the Répertoire with a few changes.
"""

import csv
import random
from datetime import date
from functools import lru_cache
from pathlib import Path

from pyproj import Transformer

from .coordonnees import EPSG_METROPOLE, EPSG_PAR_DEPARTEMENT
from .finess import CHAMPS_STRUCTUREET, DEPARTEMENTS_OUTRE_MER

BASE_DIR = Path(__file__).resolve().parent.parent
NOMS_PROJECTIONS = {2154: "RGF93 / Lambert-93 (Métropole)", 5490: "RGAF09/UTM Zone 20N (Antilles)",
                    2972: "RGFG95/UTM Zone 22N (Guyane)", 2975: "RGR92/UTM Zone 40S (Réunion)",
                    4471: "RGM04/UTM Zone 38S (Mayotte)", 32621: "WGS 84/UTM Zone 21N (St-Pierre-et-Miquelon)"}
CODES_FINESS_DEPARTEMENT = {insee: finess for finess, insee in DEPARTEMENTS_OUTRE_MER.items() if finess != "9J"}

# (J55 category, label, aggregated category, label, share of the national file)
CATEGORIES = [
    ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "4401",
     "Etablissements d'Hébergement pour Personnes Âgées", 18),
    ("460", "Service d'aide et d'accompagnement à domicile", "4602", "Services d'aide à domicile", 9),
    ("603", "Maison de santé (L.6223-3)", "1301", "Maisons de santé", 6),
    ("354", "Service de Soins Infirmiers A Domicile (S.S.I.A.D)", "4404", "Services de soins à domicile", 5),
    ("156", "Centre Médico-Psychologique (C.M.P.)", "1203", "Etablissements de soins psychiatriques", 5),
    ("246", "Etablissement et Service d'Aide par le Travail (E.S.A.T.)", "4301", "Etablissements de travail protégé",
     4),
    ("382", "Foyer de Vie pour Adultes Handicapés", "4302", "Etablissements et Services d'Hébergement pour Adultes "
     "Handicapés", 4),
    ("183", "Institut Médico-Educatif (I.M.E.)", "4101", "Etablissements d'éducation spéciale", 4),
    ("182", "Service d'Éducation Spéciale et de Soins à Domicile", "4106", "Services à Domicile ou Ambulatoires pour "
     "Handicapés", 4),
    ("202", "Résidences autonomie", "4401", "Etablissements d'Hébergement pour Personnes Âgées", 7),
    ("124", "Centre de Santé", "1301", "Centres de santé", 6),
    ("365", "Etablissement de Soins Pluridisciplinaire", "1109", "Autres Etablissements de Soins", 3),
    ("109", "Etablissement de santé privé autorisé en SSR", "1108", "Etablissements de soins de suite", 4),
    ("355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers", 3),
    ("197", "Centre de Soins d'Accompagnement et de Prévention en Addictologie", "4501",
     "Etablissements et services pour personnes en difficulté", 2),
    ("437", "Foyer d'Accueil Médicalisé pour Adultes Handicapés (F.A.M.)", "4302",
     "Etablissements et Services d'Hébergement pour Adultes Handicapés", 2),
    ("255", "Maison d'Accueil Spécialisée (M.A.S.)", "4302",
     "Etablissements et Services d'Hébergement pour Adultes Handicapés", 2),
    ("425", "Centre d'Accueil Thérapeutique à temps partiel (C.A.T.T.P.)", "1203",
     "Etablissements de soins psychiatriques", 3),
    ("127", "Hospitalisation à Domicile (H.A.D.)", "1109", "Autres Etablissements de Soins", 1),
    ("141", "Centre de Dialyse", "1109", "Autres Etablissements de Soins", 2),
    ("292", "Centre Hospitalier Spécialisé lutte Maladies Mentales", "1203",
     "Etablissements de soins psychiatriques", 1),
    ("604", "Communauté Professionnelle Territoriale de Santé (CPTS)", "1302", "Exercice coordonné", 2),
    ("189", "Centre Médico-Psycho-Pédagogique (C.M.P.P.)", "4106",
     "Services à Domicile ou Ambulatoires pour Handicapés", 1),
    ("101", "Centre Hospitalier Régional (C.H.R.)", "1101", "Centres Hospitaliers Régionaux", 1),
]
VOIES = [("RUE", "DE LA REPUBLIQUE"), ("AV", "DU GENERAL DE GAULLE"), ("RTE", "DE PARIS"), ("BD", "PASTEUR"),
         ("ALL", "DES TILLEULS"), ("PL", "DE L'EGLISE"), ("CHE", "DES VIGNES"), ("RUE", "VICTOR HUGO"),
         ("IMP", "DES ROSES"), ("", "")]
NOMS = ["LES TILLEULS", "LES GLYCINES", "SAINT JOSEPH", "LA SOURCE", "LES JARDINS", "LE VAL FLEURI", "BEAUSOLEIL",
        "LES CHENES", "PASTEUR", "LA FONTAINE", "LES HORTENSIAS", "LE PARC", "SAINTE ANNE", "LES MIMOSAS"]


def ligne_structureet(v: dict) -> list[str]:
    return [v.get(nom, "") for nom in CHAMPS_STRUCTUREET]


@lru_cache(maxsize=16)
def _projection(epsg: int) -> Transformer:
    return Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def projeter(latitude: float, longitude: float, departement: str) -> tuple[str, str, int]:
    """WGS84 → the projection FINESS uses in this département, as the file writes it (0.1 m)."""
    epsg = EPSG_PAR_DEPARTEMENT.get(departement, EPSG_METROPOLE)
    x, y = _projection(epsg).transform(longitude, latitude)
    return f"{x:.1f}", f"{y:.1f}", epsg


def ligne_geolocalisation(finess: str, x: str, y: str, epsg: int, maj: str) -> list[str]:
    source = f"1,ATLASANTE,96,BAN,EPSG:{epsg} {NOMS_PROJECTIONS.get(epsg, '')}".strip()
    return ["geolocalisation", finess, x, y, source, maj]


def code_commune_finess(insee: str, departement: str) -> tuple[str, str]:
    """(département, commune) as FINESS writes them: 9A + 127 for 97127, 01 + 451 for 01451."""
    return CODES_FINESS_DEPARTEMENT.get(departement, departement), insee[2:]


def ecrire(sortie, date_extraction: date, structures, geolocalisations) -> None:
    """Write the extract: header, structureet lines, then geolocalisation lines (UTF-8, `;`)."""
    ecrivain = csv.writer(sortie, delimiter=";", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    ecrivain.writerow(["finess", "etalab", "111", date_extraction.isoformat()])
    ecrivain.writerows(structures)
    ecrivain.writerows(geolocalisations)


def _communes(departements: set[str] | None) -> list[tuple]:
    communes = []
    with open(BASE_DIR / "fixtures" / "communes" / "communes.csv", encoding="utf-8") as f:
        for ligne in csv.DictReader(f, delimiter=";"):
            if ligne["latitude"] and (departements is None or ligne["departement"] in departements):
                communes.append((ligne["code_insee"], ligne["nom"], ligne["departement"],
                                 ligne["codes_postaux"].split(" ")[0], float(ligne["latitude"]),
                                 float(ligne["longitude"]), int(ligne["population"] or 0)))
    return communes


def generer(chemin: Path, *, departements: set[str] | None, nombre_eg: int, graine: int = 2026,
            date_extraction: date = date(2026, 5, 12)) -> int:
    """A synthetic extract of `nombre_eg` EG spread over the communes by population. Deterministic."""
    rng = random.Random(graine)
    communes = _communes(departements)
    poids = [max(c[6], 50) ** 0.7 for c in communes]
    categories = [c for c in CATEGORIES]
    parts = [c[4] for c in categories]
    structures, geos = [], []
    compteurs: dict[str, int] = {}
    ej_courante, eg_restants = None, 0
    for lieu in rng.choices(communes, weights=poids, k=nombre_eg):
        insee, nom_commune, dep, cp, lat, lon, _ = lieu
        categorie, libelle, agregat, libelle_agregat, _ = rng.choices(categories, weights=parts)[0]
        prefixe = dep[:2] if not dep.startswith("97") else dep
        compteurs[prefixe] = compteurs.get(prefixe, 0) + 1
        finess = f"{prefixe}{compteurs[prefixe]:0{9 - len(prefixe)}d}"
        if eg_restants == 0:  # EJ owning 1 to 4 EG, numbered in the same sequence
            compteurs[prefixe] += 1
            ej_courante = f"{prefixe}{compteurs[prefixe]:0{9 - len(prefixe)}d}"
            eg_restants = rng.choice([1, 1, 1, 2, 2, 3, 4])
        eg_restants -= 1
        dep_finess, commune = code_commune_finess(insee, dep)
        type_voie, voie = rng.choice(VOIES)
        ville = nom_commune.upper().replace("-", " ")
        sigle = libelle.split("(")[-1].rstrip(")").replace(".", "") if "(" in libelle else "ETABLISSEMENT"
        rs = f"{sigle} {rng.choice(NOMS)} {ville}"[:60]
        x, y, epsg = projeter(lat + rng.uniform(-0.01, 0.01), lon + rng.uniform(-0.01, 0.01), dep)
        ouverture = date(rng.randrange(1960, 2025), rng.randrange(1, 13), rng.randrange(1, 28)).isoformat()
        structures.append(ligne_structureet({
            "section": "structureet", "nofinesset": finess, "nofinessej": ej_courante, "rs": rs,
            "rslongue": f"{libelle.upper()} {rng.choice(NOMS)} {ville}"[:120],
            "numvoie": str(rng.randrange(1, 200)) if voie else "", "typvoie": type_voie, "voie": voie,
            "lieuditbp": "" if voie else f"LIEU DIT {rng.choice(NOMS)}", "commune": commune,
            "departement": dep_finess, "libdepartement": "", "ligneacheminement": f"{cp} {ville}"[:40],
            "telephone": f"0{rng.randrange(1, 6)}{rng.randrange(10**8):08d}", "telecopie": "",
            "categetab": categorie, "libcategetab": libelle, "categagretab": agregat,
            "libcategagretab": libelle_agregat, "siret": f"{rng.randrange(10**13, 10**14)}",
            "codemft": "03", "dateouv": ouverture, "dateautor": ouverture, "maj": "2025-01-15",
        }))
        geos.append(ligne_geolocalisation(finess, x, y, epsg, "2026-05-04"))
    with open(chemin, "w", encoding="utf-8", newline="") as sortie:
        ecrire(sortie, date_extraction, structures, geos)
    return len(structures)


def lignes_du_repertoire(egs, date_extraction: date) -> tuple[list[list[str]], list[list[str]]]:
    """structureet and geolocalisation lines describing these EG as the Répertoire has them."""
    structures, geos = [], []
    for eg in egs:
        dep_finess, commune = code_commune_finess(eg.commune_id or "", eg.departement_id or "")
        ville = eg.commune.nom.upper() if eg.commune else ""
        structures.append(ligne_structureet({
            "section": "structureet", "nofinesset": eg.finess, "nofinessej": eg.ej.finess if eg.ej else "",
            "rs": eg.nom, "rslongue": eg.nom_officiel or eg.nom, "numvoie": eg.numero_voie,
            "typvoie": eg.type_voie.code if eg.type_voie else "", "voie": eg.voie,
            "compldistrib": eg.complement_adresse, "lieuditbp": eg.lieu_dit, "commune": commune,
            "departement": dep_finess, "ligneacheminement": f"{eg.code_postal} {ville}".strip(),
            "telephone": eg.telephone.replace(" ", ""), "telecopie": eg.fax.replace(" ", ""),
            "categetab": eg.categorie.code if eg.categorie else "", "siret": eg.siret,
            "dateouv": eg.date_ouverture.isoformat() if eg.date_ouverture else "",
        }))
        if eg.latitude is not None and eg.longitude is not None:
            x, y, epsg = projeter(eg.latitude, eg.longitude, eg.departement_id or "")
            geos.append(ligne_geolocalisation(eg.finess, x, y, epsg, date_extraction.isoformat()))
    return structures, geos


# -- the daily JSON flux (structures + activités) ------------------------------------------

def _evenement(ident: str, code: str, quand: str, type_objet: str, autre: str | None = None) -> dict:
    return {"evenementId": f"{ident}{code}", "dateEnregistrement": "2025-10-21 18:36:29", "dateEvenement": quand,
            "etatObjet1": code, "identifiantObjet1": ident, "identifiantObjet2": autre, "systemeMaitre": "01",
            "typeObjet1": type_objet, "typeObjet2": "EG" if autre else None, "codeEvenement": code}


def _activite(ident: int, eg_id: str | None, autorisation: int | None, nature: str, codes: tuple, debut: str) -> dict:
    activite, modalite, forme = codes
    cles = {"AMF": ("activiteAMF", "modaliteActivite", "formeActivite"),
            "AMSR": ("activiteSocialeRegulee", "modeFonctionnement", "public")}[nature]
    generiques = {"activiteAeId": str(ident), "etatObjet": "A", "identifiantAutorisation": str(autorisation)
                  if autorisation else None, "numAutorisationArhgos": None, "dateDebutActiviteAutorisee": debut,
                  "dateFinActiviteAutorisee": None, "dateFinEffectiveActivite": None,
                  "dateCaduciteAutorisation": None, "egeId": eg_id, "typeActiviteSMSSE": "272"}
    return {"caracteristiquesGeneriques": generiques,
            "nature": {"codeNature": "ASMR" if nature == "AMSR" else nature, "caracteristiquesSpecifiques": {
                "activiteAeId": str(ident), f"typeActivite{nature}": dict(zip(cles, (activite, modalite, forme)))}},
            "evenement": [_evenement(str(ident), "010", debut, "AC", eg_id)], "engagement": [],
            "capacite": [{"idCapacite": str(ident), "nombre": "20", "activiteAeId": str(ident), "statutCapacite": "08",
                          "uniteMesureCapacite": "02"}], "zoneIntervention": None}


# Authorisations of the synthetic hospitals (activité, modalité, forme as the ANS SQL reads them).
AUTORISATIONS_HOPITAL = [("15", "09", "01"), ("14", "23", "01"), ("03", "01", "01"), ("03", "04", "01")]


def generer_json(dossier: Path, *, departements: set[str] | None, nombre_eg: int, graine: int = 2026,
                 date_extraction: date = date(2026, 5, 12), part_fermes: float = 0.04) -> tuple[Path, Path]:
    """A synthetic pair of daily JSON flux (structures, activités) of `nombre_eg` EG, in the
    shape of the ANS samples, written element by element. Deterministic."""
    import json

    rng = random.Random(graine)
    communes = _communes(departements)
    poids = [max(c[6], 50) ** 0.7 for c in communes]
    parts = [c[4] for c in CATEGORIES]
    dossier.mkdir(parents=True, exist_ok=True)
    chemin_s = dossier / f"finess-structures-journalier-synthetique-{nombre_eg}.json"
    chemin_a = dossier / f"finess-activites-journalier-synthetique-{nombre_eg}.json"
    genere = f"{date_extraction.isoformat()}T04:00:00.000000000Z"
    compteurs: dict[str, int] = {}
    ident = 1
    with open(chemin_s, "w", encoding="utf-8") as fs, open(chemin_a, "w", encoding="utf-8") as fa:
        fs.write(f'{{"schemaVersion": "v1.0.0", "generatedAt": "{genere}", "gcc": [], "gco": [], "pmej": [\n')
        fa.write(f'{{"schemaVersion": "v1.0.0", "generatedAt": "{genere}", "pmej": [\n')
        restants, premier = nombre_eg, True
        lieux = iter(rng.choices(communes, weights=poids, k=nombre_eg))
        while restants > 0:
            n = min(restants, rng.choice([1, 1, 1, 2, 2, 3, 4]))
            restants -= n
            egs, activites_eg, autorisees = [], [], []
            for k in range(n):
                insee, nom_commune, dep, cp, lat, lon, _ = next(lieux)
                prefixe = dep[:2] if not dep.startswith("97") else dep
                if k == 0:
                    compteurs[prefixe] = compteurs.get(prefixe, 0) + 1
                    finess_ej = f"{prefixe}{compteurs[prefixe]:0{9 - len(prefixe)}d}"
                    pm_id, pm_commune, pm_cp, ville_pm = str(ident), insee, cp, nom_commune.upper()
                    ident += 1
                compteurs[prefixe] = compteurs.get(prefixe, 0) + 1
                finess = f"{prefixe}{compteurs[prefixe]:0{9 - len(prefixe)}d}"
                categorie, libelle, *_ = rng.choices(CATEGORIES, weights=parts)[0]
                type_voie, voie = rng.choice(VOIES)
                ville = nom_commune.upper().replace("-", " ")
                sigle = libelle.split("(")[-1].rstrip(")").replace(".", "") if "(" in libelle else "ETABLISSEMENT"
                ouverture = date(rng.randrange(1960, 2025), rng.randrange(1, 13), rng.randrange(1, 28)).isoformat()
                ferme = rng.random() < part_fermes
                eg_id = str(ident)
                ident += 1
                evenements = [_evenement(eg_id, "003", ouverture, "EG"), _evenement(eg_id, "007", ouverture, "EG")]
                infos = {"egeId": eg_id, "dateOuverture": ouverture, "datePremiereAutorisation": ouverture,
                         "nomEgeCourt": f"{sigle} {rng.choice(NOMS)} {ville}"[:38] + " ",
                         "nomEgeLong": f"{libelle.upper()} {rng.choice(NOMS)} {ville}"[:120],
                         "numFinessEge": finess, "espic": ["0"], "siret": f"{rng.randrange(10**13, 10**14)}"}
                if ferme:
                    infos["dateFermeture"] = "2025-06-30"
                    evenements.append(_evenement(eg_id, "005", "2025-06-30", "EG"))
                egs.append({
                    "informationsGeneralesEGE": infos, "categorieentiteGeographiqueExercice": categorie,
                    "modefixationtarifaire": "07", "typeBudget": ["01"],
                    "adresse": [{"usageAdresse": "03", "numeroVoie": str(rng.randrange(1, 200)) if voie else None,
                                 "typeVoie": type_voie or None, "libelleVoie": voie or None,
                                 "lieuDit": None if voie else f"LIEU DIT {rng.choice(NOMS)}", "cogCommune": insee,
                                 "ligneAcheminement": ville, "codePostal": cp,
                                 "coordonneesGeographique": {
                                     "coordonneeX": "0", "coordonneeY": "0",
                                     "directionLatitude": f"{lat + rng.uniform(-0.01, 0.01):.6f}",
                                     "directionLongitude": f"{lon + rng.uniform(-0.01, 0.01):.6f}",
                                     "cleInInteropBAN": f"{insee}_{rng.randrange(10000):04d}_{rng.randrange(1000):05d}",
                                     "scoreBAN": f"{rng.uniform(0.5, 1):.4f}"}}],
                    "contact": [{"typeContact": {"roleContact": "01"},
                                 "telecom": {"telephone": f"0{rng.randrange(1, 6)}{rng.randrange(10**8):08d}"}}],
                    "engagement": [], "evenement": evenements, "roleEge": [],
                    "etatObjet": "I" if ferme else "A", "dateDerniereMaj": "2025-01-15 00:00:00"})
                codes = AUTORISATIONS_HOPITAL if categorie in ("101", "355") else [("924", "11", "010")]
                exercees = []
                for c in codes:
                    autorisation, exercee = ident, ident + 1
                    ident += 2
                    nature = "AMF" if len(c[0]) == 2 else "AMSR"
                    autorisees.append(_activite(autorisation, None, None, nature, c, ouverture))
                    exercees.append(_activite(exercee, eg_id, autorisation, nature, c, ouverture))
                activites_eg.append({"egeId": eg_id, "numFinessEge": finess, "activitesExercees": exercees})
            pm = {"informationsGeneralesPMEJ": {
                      "pmSmsseId": pm_id, "dateCreation": "1990-01-01", "denominationLonguePmSmsse":
                      f"ASSOCIATION {rng.choice(NOMS)} {ville_pm}", "denominationPm": f"ASSOCIATION {ville_pm}"[:38],
                      "numFinessPm": finess_ej, "siren": f"{rng.randrange(10**8, 10**9)}", "statutJuridique": "60",
                      "typePersonneMorale": "01"},
                  "adresse": [{"usageAdresse": "02", "cogCommune": pm_commune, "codePostal": pm_cp}],
                  "contact": [], "engagement": [], "evenement": [_evenement(pm_id, "001", "1990-01-01", "PM")],
                  "ege": egs, "etatObjet": "A", "dateDerniereMaj": "2025-01-15 00:00:00"}
            separateur = "" if premier else ",\n"
            premier = False
            fs.write(separateur + json.dumps(pm, ensure_ascii=False))
            fa.write(separateur + json.dumps({"numFiness": finess_ej, "pmSmsseId": pm_id, "activitesAutorisees":
                                              autorisees, "ege": activites_eg}, ensure_ascii=False))
        fs.write("\n]}\n")
        fa.write("\n]}\n")
    return chemin_s, chemin_a
