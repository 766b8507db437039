"""Builds a believable region (or all of France, for benchmarks) of EJ, EG, OI and UO.

Deterministic for a seed. Rows are written with PostgreSQL COPY (a national build is
about 100,000 EG and 1,000,000 UO): this is an initial load, like a first import, so it
writes no history rows; history starts with the first change made through the services.
"""

import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from nomenclatures.models import Commune, Concept, Departement
from nomenclatures.texte import normaliser

from . import catalogue as cat
from repertoire.models import Contact, Horaire, Niveau, Structure
from socle.ecriture import inserer_en_masse

DEPARTEMENTS_REGION = ["44", "49", "53", "72", "85"]


def _majuscules_sans_accents(texte: str) -> str:
    sans = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Z0-9' -]", " ", sans.upper()).replace("-", " ").replace("  ", " ").strip()


def _slug(texte: str) -> str:
    return normaliser(texte).replace(" ", "-")[:40]


@dataclass
class Ligne:
    """One Structure row to write, with its relations."""

    champs: dict
    enfants: list = field(default_factory=list)
    m2m: dict = field(default_factory=dict)
    contacts: list = field(default_factory=list)
    horaires: bool = False
    territoire: list = field(default_factory=list)


@dataclass
class LieuCommune:
    code: str
    nom: str
    cp: str
    lat: float
    lon: float
    population: int
    departement: str


class Generateur:
    def __init__(self, departements: list[str], nombre_eg: int | None, nombre_uo: int | None, graine: int,
                 vitrine: bool):
        self.rng = random.Random(graine)
        self.departements = departements
        self.nombre_eg = nombre_eg
        self.nombre_uo = nombre_uo
        self.vitrine = vitrine
        self.concepts = {(c.nomenclature.cle, c.code): c.pk for c in Concept.objects.select_related("nomenclature")}
        self.communes: dict[str, list[LieuCommune]] = {}
        for c in Commune.objects.filter(departement__in=departements, latitude__isnull=False).order_by("code_insee"):
            self.communes.setdefault(c.departement_id, []).append(LieuCommune(
                c.code_insee, c.nom, (c.codes_postaux or [""])[0], c.latitude, c.longitude, c.population or 0,
                c.departement_id))
        self.noms_departements = dict(Departement.objects.values_list("code", "nom"))
        self.ejs: list[Ligne] = []
        self.finess_utilises: set[str] = set()
        self.chs_par_departement: dict[str, Ligne] = {}
        self.noms_eg: set[str] = set()
        self.maintenant = timezone.now()

    # -- helpers ------------------------------------------------------------------
    def c(self, cle, code):
        return self.concepts[(cle, code)]

    def finess(self, dep: str) -> str:
        while True:
            numero = f"{dep[:2]}{self.rng.randrange(10**7):07d}"
            if numero not in self.finess_utilises:
                self.finess_utilises.add(numero)
                return numero

    def telephone(self, dep: str) -> str:
        zone = "2" if dep in DEPARTEMENTS_REGION else str(self.rng.choice([1, 2, 3, 4, 5]))
        chiffres = [self.rng.randrange(100) for _ in range(4)]
        return f"0{zone} {self.rng.randrange(40, 100)} " + " ".join(f"{x:02d}" for x in chiffres[:3])

    def choisir_commune(self, dep: str, grande_ville: bool) -> LieuCommune:
        communes = self.communes[dep]
        if grande_ville:
            grandes = sorted(communes, key=lambda c: -c.population)[:12]
            return self.rng.choices(grandes, weights=[c.population for c in grandes])[0]
        candidates = [c for c in communes if c.population >= 800] or communes
        return self.rng.choices(candidates, weights=[math.sqrt(c.population or 1) for c in candidates])[0]

    def communes_autour(self, lieu: LieuCommune, rayon_km: float) -> list[str]:
        proches = []
        cos_lat = math.cos(math.radians(lieu.lat))
        for c in self.communes[lieu.departement]:
            dx = (c.lon - lieu.lon) * 111.32 * cos_lat
            dy = (c.lat - lieu.lat) * 110.57
            if dx * dx + dy * dy <= rayon_km * rayon_km:
                proches.append(c.code)
        return proches

    def date_verification(self) -> datetime:
        return self.maintenant - timedelta(days=self.rng.randrange(0, 620), hours=self.rng.randrange(24))

    def adresse(self, lieu: LieuCommune) -> dict:
        type_voie, voie = self.rng.choice(cat.VOIES)
        return {
            "numero_voie": str(self.rng.randrange(1, 120)), "type_voie_id": self.c("J219", type_voie),
            "voie": voie, "code_postal": lieu.cp, "commune_id": lieu.code, "departement_id": lieu.departement,
            "latitude": round(lieu.lat + self.rng.uniform(-0.008, 0.008), 6),
            "longitude": round(lieu.lon + self.rng.uniform(-0.008, 0.008), 6),
        }

    def personne(self) -> tuple[str, str, str]:
        civilite = self.rng.choice(["M", "MME"])
        return civilite, self.rng.choice(cat.PRENOMS), self.rng.choice(cat.NOMS_FAMILLE)

    # -- names ----------------------------------------------------------------------
    def nom_eg(self, profil: cat.Profil, lieu: LieuCommune) -> str:
        ville = _majuscules_sans_accents(lieu.nom)
        pools = {"ehpad": cat.NOMS_EHPAD, "residence": cat.NOMS_RESIDENCE, "ph": cat.NOMS_PH}
        for _ in range(20):
            if profil.noms in pools:
                nom = f"{profil.sigle} {self.rng.choice(pools[profil.noms])}"
                if self.rng.random() < 0.3:
                    nom = f"{profil.sigle} {ville}"
            elif profil.noms == "clinique":
                nom = self.rng.choice(cat.NOMS_CLINIQUE)
            elif profil.noms == "smr":
                nom = self.rng.choice(cat.NOMS_SMR)
            elif profil.noms == "saad":
                nom = f"SAAD {self.rng.choice(['ADMR', 'AIDE ET PRESENCE', 'DOMICILE SERVICES', 'VIVRE CHEZ SOI'])} {ville}"
            elif profil.noms == "had":
                nom = f"HAD {ville}"
            elif profil.noms == "cpts":
                nom = f"CPTS {ville}"
            elif profil.noms == "departement":
                nom = f"DAC {_majuscules_sans_accents(self.noms_departements[lieu.departement])}"
            else:
                nom = f"{profil.sigle} {ville}"
            if nom not in self.noms_eg:
                break
            nom = f"{nom} {self.rng.randrange(2, 9)}"
            if nom not in self.noms_eg:
                break
        self.noms_eg.add(nom)
        return nom

    # -- building -------------------------------------------------------------------
    def nouvelle_ej(self, nom: str, lieu: LieuCommune, statut: str) -> Ligne:
        ej = Ligne({
            "niveau": Niveau.EJ, "nom": nom, "nom_officiel": nom, "finess": self.finess(lieu.departement),
            "siren": f"{self.rng.randrange(10**8, 10**9)}", "statut_juridique_id": self.c("J173", statut),
            "telephone": self.telephone(lieu.departement), **self.adresse(lieu),
            "date_verification": self.date_verification(),
        })
        self.ejs.append(ej)
        return ej

    def nouvel_eg(self, ej: Ligne, profil: cat.Profil, lieu: LieuCommune, nom: str | None = None,
                  complet: bool = False) -> Ligne:
        nom = nom or self.nom_eg(profil, lieu)
        champs = {
            "niveau": Niveau.EG, "nom": nom, "nom_officiel": nom, "finess": self.finess(lieu.departement),
            "siret": f"{ej.champs['siren']}{self.rng.randrange(10**4, 10**5)}",
            "categorie_id": self.c("J55", profil.categorie), **self.adresse(lieu),
            "telephone": self.telephone(lieu.departement), "email": f"accueil@{_slug(nom)}.fr",
            "site_web": f"https://www.{_slug(nom)}.fr" if self.rng.random() < 0.4 else "",
            "accessibilite_id": self.c("J50", "1"),
            "date_ouverture": date(self.rng.randrange(1965, 2022), self.rng.randrange(1, 13), 1),
            "date_verification": self.date_verification(),
        }
        eg = Ligne(champs)
        if profil.aide_sociale:
            eg.m2m["aides_financieres"] = [self.c("J31", "02")]
        civilite, prenom, nom_famille = self.personne()
        eg.contacts.append({"fonction_id": self.c("J220", "01"), "libelle": "Direction", "civilite_id":
                            self.c("J207", civilite), "titre": "Directeur" if civilite == "M" else "Directrice",
                            "prenom": prenom, "nom": nom_famille,
                            "email": f"direction@{_slug(nom)}.fr", "telephone": champs["telephone"]})
        if profil.rayon_territoire_km:
            eg_territoire = self.communes_autour(lieu, profil.rayon_territoire_km)
        else:
            eg_territoire = []
        ej.enfants.append(eg)
        modeles = [m for m in profil.uos if complet or self.rng.random() < m.probabilite]
        poles = {}
        for modele in modeles:
            parent = eg
            if profil.categorie in {"101", "355"}:
                nom_pole = _pole(modele)
                if nom_pole not in poles:
                    poles[nom_pole] = Ligne({"niveau": Niveau.OI, "nom": nom_pole, "type_oi_id": self.c("J203", "1"),
                                             "departement_id": lieu.departement})
                    eg.enfants.append(poles[nom_pole])
                parent = poles[nom_pole]
            for repetition in range(self.repetitions()):
                parent.enfants.append(self.nouvelle_uo(modele, eg, lieu, eg_territoire, repetition, complet, profil))
        return eg

    def repetitions(self) -> int:
        facteur = getattr(self, "facteur_uo", 1.0)
        entier = int(facteur)
        return entier + (1 if self.rng.random() < facteur - entier else 0) if facteur > 1 else 1

    def nouvelle_uo(self, modele: cat.ModeleUO, eg: Ligne, lieu: LieuCommune, territoire: list[str],
                    repetition: int, complet: bool, profil: cat.Profil) -> Ligne:
        nom = modele.nom if repetition == 0 else f"{modele.nom} – unité {repetition + 1}"
        age_min, age_max = modele.ages
        champs = {
            "niveau": Niveau.UO, "nom": nom, "nom_officiel": nom, "discipline": modele.discipline,
            "type_uo_id": self.c("J34", modele.type_uo) if modele.type_uo else None,
            "champ_id": self.c("J20", modele.champ), "age_min": age_min, "age_max": age_max,
            "ouverture_annuelle_id": self.c("J28", modele.ouverture) if modele.ouverture else None,
            "departement_id": lieu.departement, "date_verification": self.date_verification(),
        }
        if modele.lits:
            champs["lits_installes"] = self.rng.randint(*modele.lits)
        if modele.places:
            champs["places_installees"] = self.rng.randint(*modele.places)
        if modele.niveau_expertise:
            champs["niveau_expertise_id"] = self.c("J227", modele.niveau_expertise)
        if modele.nom.startswith("Maternité"):
            champs["niveau_expertise_id"] = self.c("J227", "04" if profil.categorie == "101" else
                                                   self.rng.choice(["01", "02", "03"]))
        if profil.aide_sociale and modele.modes == ("46",):
            champs["habilitation_aide_sociale"] = self.rng.random() < 0.75
            if champs["habilitation_aide_sociale"]:
                capacite = champs.get("lits_installes") or champs.get("places_installees") or 10
                champs["places_aide_sociale"] = self.rng.randint(capacite // 3, capacite)
        if profil.categorie == "500" and modele.modes == ("46",):
            champs["tarif_mensuel"] = Decimal(self.rng.randrange(1900, 3100))
            champs["conditions_admission"] = "Dossier unique de demande d'admission en EHPAD (ViaTrajectoire)."
        uo = Ligne(champs, horaires=modele.horaires)
        uo.m2m = {
            "activites": [self.c("J17", a) for a in modele.activites],
            "modes_prise_en_charge": [self.c("R213", m) for m in modele.modes],
            "publics": [self.c("J29", p) for p in modele.publics],
            "temporalites_accueil": [self.c("J30", t) for t in modele.temporalites],
            "modalites_accueil": [self.c("J226", m) for m in modele.modalites],
            "specialisations": [self.c("J35", s) for s in modele.specialisations],
        }
        uo.contacts.append({"fonction_id": self.c("J220", "05"), "libelle": "Secrétariat",
                            "telephone": self.telephone(lieu.departement),
                            "email": f"secretariat.{_slug(modele.nom)[:20]}@{_slug(eg.champs['nom'])}.fr"})
        if complet or self.rng.random() < 0.5:
            civilite, prenom, nom_famille = self.personne()
            uo.contacts.append({"fonction_id": self.c("J220", "22"), "libelle": "Responsable d'unité",
                                "civilite_id": self.c("J207", civilite), "prenom": prenom, "nom": nom_famille,
                                "titre": "Cadre de santé" if modele.champ != "04" else "Responsable",
                                "telephone": self.telephone(lieu.departement),
                                "email": f"{_slug(prenom)}.{_slug(nom_famille)}@{_slug(eg.champs['nom'])}.fr",
                                "est_responsable": True})
        uo.territoire = territoire if repetition == 0 else []
        # About one UO in ten is left incomplete on purpose (quality dashboards have work).
        if not complet and self.rng.random() < 0.10:
            manque = self.rng.choice(["activites", "ages", "contacts"])
            if manque == "activites":
                uo.m2m["activites"] = []
            elif manque == "ages":
                champs["age_min"] = champs["age_max"] = None
            else:
                uo.contacts = []
        return uo

    # -- the region -------------------------------------------------------------------
    def populations(self) -> dict[str, int]:
        return {dep: sum(c.population for c in communes) for dep, communes in self.communes.items()}

    def repartition(self) -> list[tuple[cat.Profil, str, int]]:
        """How many EG of each profile in each département."""
        pops = self.populations()
        reference = sum(pops[d] for d in DEPARTEMENTS_REGION if d in pops) or sum(pops.values())
        echelle = sum(pops.values()) / reference
        total_brut = sum(p.nombre for p in cat.PROFILS) * echelle
        facteur = (self.nombre_eg / total_brut) if self.nombre_eg else 1.0
        plan = []
        for profil in cat.PROFILS:
            attendu = profil.nombre * echelle * facteur
            restes = []
            for dep in self.departements:
                part = attendu * pops.get(dep, 0) / sum(pops.values())
                plan.append([profil, dep, int(part)])
                restes.append((part - int(part), len(plan) - 1))
            manque = round(attendu) - sum(plan[i][2] for _, i in restes)
            for _, i in sorted(restes, reverse=True)[:max(manque, 0)]:
                plan[i][2] += 1
        return [tuple(x) for x in plan]

    def construire(self) -> None:
        plan = self.repartition()
        if self.nombre_uo:
            par_eg = sum(sum(m.probabilite for m in p.uos) * n for p, _, n in plan)
            self.facteur_uo = self.nombre_uo / max(par_eg, 1)
        if self.vitrine:
            self.construire_vitrine()
        ordre = {"public": 0, "groupe": 1, "association": 2, "liberal": 3, "psy": 4}
        for profil, dep, nombre in sorted(plan, key=lambda x: (ordre[x[0].proprietaire], x[1])):
            if nombre <= 0 or dep not in self.communes:
                continue
            if profil.categorie == "101":
                self.construire_chu(profil, dep, nombre)
                continue
            groupe_courant, places_restantes = None, 0
            federation = None
            for _ in range(nombre):
                lieu = self.choisir_commune(dep, profil.grande_ville)
                if profil.proprietaire in {"public", "groupe", "liberal"}:
                    nom_ej = self.nom_ej_propre(profil, lieu)
                    ej = self.nouvelle_ej(nom_ej, lieu, profil.statut_juridique)
                    eg = self.nouvel_eg(ej, profil, lieu)
                    if profil.categorie == "292":
                        self.chs_par_departement.setdefault(dep, ej)
                elif profil.proprietaire == "psy":
                    ej = self.chs_par_departement.get(dep) or self.nouvelle_ej(
                        f"ETABLISSEMENT PUBLIC DE SANTE MENTALE {_majuscules_sans_accents(self.noms_departements[dep])}",
                        lieu, "11")
                    self.chs_par_departement[dep] = ej
                    self.nouvel_eg(ej, profil, lieu)
                else:
                    if profil.categorie in {"460", "354", "209"} and self.rng.random() < 0.4:
                        if federation is None:
                            federation = self.nouvelle_ej(
                                f"FEDERATION ADMR {_majuscules_sans_accents(self.noms_departements[dep])}", lieu, "60")
                        self.nouvel_eg(federation, profil, lieu)
                        continue
                    if places_restantes <= 0:
                        pool = cat.ASSOCIATIONS_PH if "02" in profil.uos[0].publics else cat.ASSOCIATIONS_PA
                        nom_ej = f"{self.rng.choice(pool)} {dep} {_majuscules_sans_accents(lieu.nom)}"
                        statut = "21" if nom_ej.startswith("CCAS") else self.rng.choice(["60", "61", "63"])
                        groupe_courant = self.nouvelle_ej(nom_ej, lieu, statut)
                        places_restantes = self.rng.choice([1, 1, 2, 2, 3, 4, 6])
                    self.nouvel_eg(groupe_courant, profil, lieu)
                    places_restantes -= 1

    def nom_ej_propre(self, profil: cat.Profil, lieu: LieuCommune) -> str:
        ville = _majuscules_sans_accents(lieu.nom)
        if profil.categorie in {"355", "106", "362"}:
            return f"CENTRE HOSPITALIER {ville}"
        if profil.categorie == "292":
            return f"CENTRE HOSPITALIER SPECIALISE {ville}"
        if profil.categorie == "603":
            return f"SISA MSP {ville} {self.rng.randrange(1, 99)}"
        return f"{self.rng.choice(cat.GROUPES_SANTE)} {ville} {self.rng.randrange(1, 99)}"

    def construire_chu(self, profil: cat.Profil, dep: str, nombre: int) -> None:
        grandes = sorted(self.communes[dep], key=lambda c: -c.population)[:nombre]
        for lieu in grandes:
            ville = _majuscules_sans_accents(lieu.nom)
            if f"CHU {ville}" in self.noms_eg:
                continue
            ej = self.nouvelle_ej(f"CENTRE HOSPITALIER UNIVERSITAIRE {ville}", lieu, profil.statut_juridique)
            self.nouvel_eg(ej, profil, lieu, nom=f"CHU {ville}", complet=True)
            self.noms_eg.add(f"CHU {ville}")

    def construire_vitrine(self) -> None:
        """Named structures the demo accounts and the guide refer to (Pays de la Loire)."""
        par_code = {c.code: c for communes in self.communes.values() for c in communes}
        if not {"49007", "49015", "49099", "44109"} <= set(par_code):
            return
        angers, avrille, cholet, nantes = (par_code[c] for c in ("49007", "49015", "49099", "44109"))
        profils = {p.categorie: p for p in cat.PROFILS}
        ej = self.nouvelle_ej("ASSOCIATION LES MAGNOLIAS D'ANJOU", angers, "61")
        self.nouvel_eg(ej, profils["500"], angers, nom="EHPAD LES MAGNOLIAS", complet=True)
        self.nouvel_eg(ej, profils["500"], avrille, nom="EHPAD LE CLOS FLEURI")
        self.nouvel_eg(ej, profils["354"], angers, nom="SSIAD LES MAGNOLIAS", complet=True)
        ch = self.nouvelle_ej("CENTRE HOSPITALIER CHOLET", cholet, "13")
        self.nouvel_eg(ch, profils["355"], cholet, nom="CH CHOLET", complet=True)
        for lieu in (nantes, angers):
            ville = _majuscules_sans_accents(lieu.nom)
            chu = self.nouvelle_ej(f"CENTRE HOSPITALIER UNIVERSITAIRE {ville}", lieu, "15")
            self.nouvel_eg(chu, profils["101"], lieu, nom=f"CHU {ville}", complet=True)
        self.noms_eg |= {"EHPAD LES MAGNOLIAS", "EHPAD LE CLOS FLEURI", "SSIAD LES MAGNOLIAS", "CH CHOLET",
                         "CHU NANTES", "CHU ANGERS"}


def _pole(modele: cat.ModeleUO) -> str:
    nom = modele.nom.lower()
    if any(m in nom for m in ("urgence", "réanimation", "intensifs", "smur", "surveillance continue", "brûlés")):
        return "Pôle urgences – réanimation – soins critiques"
    if any(m in nom for m in ("maternité", "néonat", "pédiatri")):
        return "Pôle femme – mère – enfant"
    if "chirurgie" in nom:
        return "Pôle chirurgie"
    if modele.discipline in {"SMR", "SLD"} or "gériatri" in nom or "mémoire" in nom:
        return "Pôle gériatrie et soins de suite"
    return "Pôle médecine"


# -- writing ------------------------------------------------------------------------------

def _numeroter(generateur: Generateur, premier_id: int, premier_tree: int):
    """Give ids, tree ids and MPTT bounds; yield (ligne, parent_id, ej_id, eg_id)."""
    prochain_id = premier_id
    for index, ej in enumerate(generateur.ejs):
        tree_id = premier_tree + index
        compteur = 1

        def visiter(ligne: Ligne, parent, ej_id, eg_id, niveau_mptt):
            nonlocal prochain_id, compteur
            ligne.champs["id"] = prochain_id
            prochain_id += 1
            ligne.champs.update(tree_id=tree_id, lft=compteur, level=niveau_mptt, parent_id=parent)
            compteur += 1
            niveau = ligne.champs["niveau"]
            ligne.champs["ej_id"] = ej_id if niveau != Niveau.EJ else None
            ligne.champs["eg_id"] = eg_id if niveau not in (Niveau.EJ, Niveau.EG) else None
            propre_ej = ligne.champs["id"] if niveau == Niveau.EJ else ej_id
            propre_eg = ligne.champs["id"] if niveau == Niveau.EG else eg_id
            for enfant in sorted(ligne.enfants, key=lambda e: e.champs["nom"]):
                visiter(enfant, ligne.champs["id"], propre_ej, propre_eg, niveau_mptt + 1)
            ligne.champs["rght"] = compteur
            compteur += 1

        visiter(ej, None, None, None, 0)
    return prochain_id


def _toutes_les_lignes(generateur: Generateur):
    pile = list(generateur.ejs)
    while pile:
        ligne = pile.pop()
        yield ligne
        pile.extend(ligne.enfants)


def _valeurs_par_defaut(model) -> dict:
    defauts = {}
    for f in model._meta.concrete_fields:
        if f.has_default():
            defauts[f.attname] = f.get_default()
        elif f.null:
            defauts[f.attname] = None
        else:
            defauts[f.attname] = ""
    return defauts


def _sans_controle_des_cles(cursor) -> None:
    """For the national benchmark load only: the rows are generated with consistent ids, and
    PostgreSQL would otherwise queue millions of deferred foreign-key checks until COMMIT.
    Needs a superuser (the embedded server); elsewhere the checks simply run."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


@transaction.atomic
def ecrire(generateur: Generateur) -> dict:
    maintenant = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE repertoire_structure IN EXCLUSIVE MODE")
        if len(generateur.ejs) > 20_000:
            _sans_controle_des_cles(cursor)
        cursor.execute("SELECT COALESCE(MAX(id), 0), COALESCE(MAX(tree_id), 0) FROM repertoire_structure")
        max_id, max_tree = cursor.fetchone()
        dernier = _numeroter(generateur, max_id + 1, max_tree + 1)

        defauts = _valeurs_par_defaut(Structure)
        defauts.update(cree_le=maintenant, modifie_le=maintenant, version=1)
        colonnes = [f.attname for f in Structure._meta.concrete_fields]
        lignes = list(_toutes_les_lignes(generateur))

        def rangs():
            for ligne in lignes:
                valeurs = {**defauts, **ligne.champs}
                yield tuple(valeurs[c] for c in colonnes)

        compte = {"structures": inserer_en_masse("repertoire_structure", [Structure._meta.get_field(c).column
                                                                          for c in colonnes], rangs())}
        cursor.execute("SELECT setval(pg_get_serial_sequence('repertoire_structure', 'id'), %s)", [dernier])

        for nom_m2m in {nom for ligne in lignes for nom in ligne.m2m} | {"territoire"}:
            champ = Structure._meta.get_field(nom_m2m)
            through = champ.remote_field.through._meta
            cible = champ.m2m_reverse_name()
            source = champ.m2m_column_name()
            if nom_m2m == "territoire":
                valeurs = ((ligne.champs["id"], code) for ligne in lignes for code in ligne.territoire)
            else:
                valeurs = ((ligne.champs["id"], v) for ligne in lignes for v in ligne.m2m.get(nom_m2m, ()))
            compte[nom_m2m] = inserer_en_masse(through.db_table, [source, cible], valeurs)

        defauts_contact = _valeurs_par_defaut(Contact)
        colonnes_contact = [f.attname for f in Contact._meta.concrete_fields if f.attname != "id"]

        def contacts():
            for ligne in lignes:
                for contact in ligne.contacts:
                    valeurs = {**defauts_contact, **contact, "structure_id": ligne.champs["id"]}
                    yield tuple(valeurs[c] for c in colonnes_contact)

        compte["contacts"] = inserer_en_masse(Contact._meta.db_table,
                                     [Contact._meta.get_field(c).column for c in colonnes_contact], contacts())
        horaire_type = generateur.c("J41", "01")

        def horaires():
            for ligne in lignes:
                if ligne.horaires:
                    for jour in range(1, 6):
                        yield (ligne.champs["id"], horaire_type, jour, time(9), time(17, 30))

        compte["horaires"] = inserer_en_masse(Horaire._meta.db_table,
                                     ["structure_id", "type_horaire_id", "jour", "debut", "fin"], horaires())
        cursor.execute("ANALYZE repertoire_structure")
    return compte


def generer(departements: list[str] | None = None, nombre_eg: int | None = None, nombre_uo: int | None = None,
            graine: int = 52, vitrine: bool = True) -> dict:
    generateur = Generateur(departements or DEPARTEMENTS_REGION, nombre_eg, nombre_uo, graine, vitrine)
    generateur.construire()
    return ecrire(generateur)
