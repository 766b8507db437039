"""Builds a believable region (or all of France, for benchmarks) of EJ, EG, OI and UO.

Deterministic for a seed. Rows are written with PostgreSQL COPY (a national build is
about 100,000 EG and 1,000,000 UO): this is an initial load, like a first import, so it
writes no history rows; history starts with the first change made through the services.
"""

import itertools
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from nomenclatures.models import Commune, Concept, Departement
from nomenclatures.texte import normaliser

from . import catalogue as cat
from . import noms
from repertoire.models import Contact, Horaire, Niveau, Structure
from repertoire.services import groupements
from repertoire.version import changer_version_offre
from socle.ecriture import inserer_en_masse

DEPARTEMENTS_REGION = ["44", "49", "53", "72", "85"]


def _majuscules_sans_accents(texte: str) -> str:
    """As the guide writes establishment names: capitals, no accents nor special characters
    ("Les Sables-d'Olonne" → "LES SABLES D OLONNE")."""
    sans = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9 ]", " ", sans.upper())).strip()


def _slug(texte: str) -> str:
    return normaliser(texte).replace(" ", "-")[:40].strip("-")  # a domain label never ends with "-"


PUBLICS_HOSPITALIERS = {"11", "13", "14", "15"}  # J173 statuts of public hospitals (members of a GHT)
HOPITAUX = {"101", "355", "106", "292"}  # J55 categories built from the hospitals list (or per commune)


@dataclass
class Ligne:
    """One Structure row to write, with its relations."""

    champs: dict
    enfants: list = field(default_factory=list)
    m2m: dict = field(default_factory=dict)
    contacts: list = field(default_factory=list)
    horaires: bool = False
    territoire: list = field(default_factory=list)
    support_ght: bool = False  # an EJ: the support establishment of its département's GHT


@dataclass
class LieuCommune:
    code: str
    nom: str
    cps: list
    lat: float
    lon: float
    population: int
    departement: str


@dataclass
class Groupement:
    """A GHT to create once the structures have their ids."""

    type: str
    nom: str
    departement: str
    support: Ligne
    membres: list


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
                c.code_insee, c.nom, list(c.codes_postaux or []), c.latitude, c.longitude, c.population or 0,
                c.departement_id))
        self.par_code = {c.code: c for communes in self.communes.values() for c in communes}
        for c in Commune.objects.filter(departement__in=departements, code_insee__in=noms.CENTRES, latitude=None):
            self.par_code[c.code_insee] = LieuCommune(c.code_insee, c.nom, list(c.codes_postaux or []),
                                                      *noms.CENTRES[c.code_insee], c.population or 0, c.departement_id)
        self.noms_departements = dict(Departement.objects.values_list("code", "nom"))
        self.ejs: list[Ligne] = []
        self.ejs_par_nom: dict[str, Ligne] = {}
        self.finess_utilises: set[str] = set()
        self.chs_par_departement: dict[str, Ligne] = {}
        self.hopitaux_par_departement: dict[str, list[tuple[Ligne, LieuCommune]]] = {}
        self.communes_avec_hopital: set[str] = set()
        self.groupements: list[Groupement] = []
        self.noms_eg: set[str] = set()
        self._tirages: dict[tuple, tuple[list, list]] = {}
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

    def departement(self, code: str) -> str:
        return _majuscules_sans_accents(self.noms_departements.get(code, code))

    def choisir_commune(self, dep: str, grande_ville: bool, seuil: int = 800) -> LieuCommune:
        """A commune weighted by its size (the largest twelve for city services). The candidates
        and their cumulated weights are computed once per département."""
        cle = (dep, grande_ville, seuil)
        if cle not in self._tirages:
            communes = self.communes[dep]
            if grande_ville:
                candidates = sorted(communes, key=lambda c: -c.population)[:12]
                poids = [c.population for c in candidates]
            else:
                candidates = [c for c in communes if c.population >= seuil] or communes
                poids = [math.sqrt(c.population or 1) for c in candidates]
            self._tirages[cle] = (candidates, list(itertools.accumulate(poids)))
        candidates, cumules = self._tirages[cle]
        return self.rng.choices(candidates, cum_weights=cumules)[0]

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

    def adresse(self, lieu: LieuCommune, imposee: tuple | None = None) -> dict:
        """Number, street type and name, and a postcode of the commune itself."""
        if imposee:
            numero, type_voie, voie, cp = imposee
        else:
            type_voie, voie = self.rng.choice(noms.VOIES)
            numero = str(self.rng.randrange(1, 120))
            cp = self.rng.choice(lieu.cps) if lieu.cps else ""
        return {
            "numero_voie": numero, "type_voie_id": self.c("J219", type_voie),
            "voie": voie, "code_postal": cp, "commune_id": lieu.code, "departement_id": lieu.departement,
            "latitude": round(lieu.lat + self.rng.uniform(-0.008, 0.008), 6),
            "longitude": round(lieu.lon + self.rng.uniform(-0.008, 0.008), 6),
        }

    def personne(self) -> tuple[str, str, str]:
        civilite = self.rng.choice(["M", "MME"])
        return civilite, self.rng.choice(cat.PRENOMS), self.rng.choice(cat.NOMS_FAMILLE)

    # -- names ----------------------------------------------------------------------
    def nom_unique(self, candidats) -> str:
        """The first candidate no EG has yet. Names never get a number: the candidates end with
        an exhaustive walk of the pools suffixed with the commune and its quarters."""
        for nom in candidats:
            if nom not in self.noms_eg:
                self.noms_eg.add(nom)
                return nom
        raise RuntimeError("plus aucun nom disponible")  # the pools × communes × quarters run out first

    def _repli(self, sigle: str, lieu: LieuCommune):
        ville = _majuscules_sans_accents(lieu.nom)
        yield f"{sigle} {ville}"
        quartiers = noms.QUARTIERS if lieu.population >= 20000 else []
        for quartier in quartiers:
            yield f"{sigle} {ville} {quartier}"
        for nom in noms.LIEUX + noms.LIEUX_DITS + noms.SAINTS + noms.ARBRES_FLEURS:
            yield f"{sigle} {nom} {ville}"
        for nom in noms.LIEUX + noms.LIEUX_DITS + noms.SAINTS + noms.ARBRES_FLEURS:
            for quartier in noms.QUARTIERS:
                yield f"{sigle} {nom} {ville} {quartier}"

    def candidats_eg(self, profil: cat.Profil, lieu: LieuCommune, marque: str = ""):
        ville = _majuscules_sans_accents(lieu.nom)
        r = self.rng
        sigle = profil.sigle
        pools = {"ehpad": noms.SAINTS + noms.ARBRES_FLEURS + noms.LIEUX + noms.PERSONNES + noms.LIEUX_DITS,
                 "residence": noms.ARBRES_FLEURS + noms.LIEUX + noms.SAINTS,
                 "ph": noms.PH_NOMS + noms.LIEUX_DITS + noms.LIEUX + noms.ARBRES_FLEURS}
        if profil.noms in pools:
            pool = pools[profil.noms]
            if r.random() < 0.2:
                yield f"{sigle} {ville}"
            for _ in range(8):
                nom = r.choice(pool)
                yield f"{sigle} RESIDENCE {nom}" if profil.noms == "ehpad" and r.random() < 0.2 else f"{sigle} {nom}"
            for _ in range(4):
                yield f"{sigle} {r.choice(pool)} {ville}"
        elif profil.noms == "clinique":
            for _ in range(4):
                yield r.choice(noms.CLINIQUES)
            for _ in range(4):
                yield f"{r.choice(noms.CLINIQUES)} {ville}"
            sigle = "CLINIQUE"
        elif profil.noms == "smr":
            for _ in range(6):
                yield f"{r.choice(noms.TYPES_SMR)} {r.choice(noms.LIEUX + noms.SAINTS + noms.LIEUX_DITS)}"
        elif profil.noms == "departement":
            yield f"{sigle} {self.departement(lieu.departement)}"
        elif marque:
            yield f"{sigle} {marque} {ville}"
            for quartier in (noms.QUARTIERS if lieu.population >= 20000 else []):
                yield f"{sigle} {marque} {ville} {quartier}"
        elif profil.noms == "cpts":
            yield f"CPTS {ville}"
            yield f"CPTS {ville} ET ENVIRONS"
        elif profil.categorie == "603":
            yield f"MSP {ville}"
            yield f"POLE SANTE {ville}"
            yield f"MAISON DE SANTE {ville}"
        yield from self._repli(sigle, lieu)

    def nom_eg(self, profil: cat.Profil, lieu: LieuCommune, marque: str = "") -> str:
        return self.nom_unique(self.candidats_eg(profil, lieu, marque))

    # -- building -------------------------------------------------------------------
    def nouvelle_ej(self, nom: str, lieu: LieuCommune, statut: str, adresse: tuple | None = None) -> Ligne:
        ej = Ligne({
            "niveau": Niveau.EJ, "nom": nom, "nom_officiel": nom, "finess": self.finess(lieu.departement),
            "siren": f"{self.rng.randrange(10**8, 10**9)}", "statut_juridique_id": self.c("J173", statut),
            "telephone": self.telephone(lieu.departement), **self.adresse(lieu, adresse),
            "date_verification": self.date_verification(),
        })
        self.ejs.append(ej)
        self.ejs_par_nom[nom] = ej
        return ej

    def gestionnaire(self, profil: cat.Profil, lieu: LieuCommune) -> tuple[Ligne, str]:
        """The EJ managing a medico-social or ambulatory service, and the service's name: an
        association, a foundation, a CCAS… The same name is the same EJ, which so manages
        several ESMS; the service's name may carry its brand ("SSIAD ADMR …")."""
        table = noms.GESTIONNAIRES.get(profil.categorie) or (
            noms.GESTIONNAIRES_PH if "02" in profil.uos[0].publics else noms.GESTIONNAIRES_PA)
        modele, statut, _poids, *marque = self.rng.choices(table, weights=[t[2] for t in table])[0]
        nom_eg = self.nom_eg(profil, lieu, marque[0] if marque else "")
        ville = _majuscules_sans_accents(lieu.nom)
        propre = nom_eg.removeprefix(profil.sigle).strip()
        if propre == ville:  # "EHPAD CLISSON" is run by "ASSOCIATION MAISON DE RETRAITE CLISSON"
            propre = f"MAISON DE RETRAITE {ville}" if profil.categorie == "500" else nom_eg
        nom = modele.format(DEP=self.departement(lieu.departement), VILLE=ville, NOM=propre)
        ej = self.ejs_par_nom.get(nom) or self.nouvelle_ej(nom, lieu, statut)
        return ej, nom_eg

    def nouvel_eg(self, ej: Ligne, profil: cat.Profil, lieu: LieuCommune, nom: str | None = None,
                  complet: bool = False, adresse: tuple | None = None, modeles: list | None = None,
                  territoire: list | None = None) -> Ligne:
        nom = nom or self.nom_eg(profil, lieu)
        self.noms_eg.add(nom)
        champs = {
            "niveau": Niveau.EG, "nom": nom, "nom_officiel": nom, "finess": self.finess(lieu.departement),
            "siret": f"{ej.champs['siren']}{self.rng.randrange(10**4, 10**5)}",
            "categorie_id": self.c("J55", profil.categorie), **self.adresse(lieu, adresse),
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
        if territoire is not None:
            eg_territoire = territoire
        elif profil.rayon_territoire_km:
            eg_territoire = self.communes_autour(lieu, profil.rayon_territoire_km)
        else:
            eg_territoire = []
        ej.enfants.append(eg)
        if modeles is None:
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
        for nom, valeur in lieu_et_famille(modele.champ, sorted(modele.modes), modele.type_uo,
                                           champs.get("lits_installes") or champs.get("places_installees")).items():
            if isinstance(valeur, tuple):
                champs[f"{nom}_id"] = self.c(*valeur)
            else:
                champs[nom] = valeur
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
                                "titre": ("Médecin responsable" if modele.champ == "01"
                                          else "Cadre de santé" if modele.champ != "04" else "Responsable"),
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
        # Hospitals first: the region's real ones, or one per hospital commune elsewhere; then their GHT.
        hopitaux: dict[str, dict[str, int]] = {}
        for profil, dep, nombre in plan:
            if profil.categorie in HOPITAUX and dep in self.communes:
                hopitaux.setdefault(dep, {})[profil.categorie] = nombre
        for dep in self.departements:
            if dep not in self.communes:
                continue
            if dep in noms.HOPITAUX and self.vitrine:
                self.hopitaux_reels(dep)
            else:
                self.hopitaux_generes(dep, hopitaux.get(dep, {}))
            self.ght(dep)
        ordre = {"public": 0, "groupe": 1, "association": 2, "liberal": 3, "psy": 4}
        for profil, dep, nombre in sorted(plan, key=lambda x: (ordre[x[0].proprietaire], x[1])):
            if nombre <= 0 or dep not in self.communes or profil.categorie in HOPITAUX:
                continue
            if profil.categorie == "604":
                self.construire_cpts(profil, dep, nombre)
                continue
            for _ in range(nombre):
                lieu = self.lieu_libre(profil, dep)
                if profil.categorie == "362":  # USLD: a site of one of the département's hospitals
                    ej, lieu_ch = self.rng.choice(self.hopitaux_par_departement.get(dep) or [(None, lieu)])
                    if ej is None:
                        ej = self.nouvelle_ej(f"CENTRE HOSPITALIER {_majuscules_sans_accents(lieu.nom)}", lieu, "13")
                        self.hopitaux_par_departement.setdefault(dep, []).append((ej, lieu))
                    self.nouvel_eg(ej, profil, lieu_ch, nom=self.nom_unique(
                        [f"USLD {n}" for n in self.rng.sample(noms.ARBRES_FLEURS + noms.LIEUX, 6)]
                        + list(self._repli("USLD", lieu_ch))))
                elif profil.proprietaire == "groupe" and profil.categorie == "365":
                    nom = self.nom_eg(profil, lieu)
                    self.nouvel_eg(self.nouvelle_ej(f"SAS {nom}", lieu, "95"), profil, lieu, nom=nom)
                elif profil.proprietaire == "liberal":
                    nom = self.nom_eg(profil, lieu)
                    self.nouvel_eg(self.nouvelle_ej(f"SISA {nom}", lieu, profil.statut_juridique), profil, lieu,
                                   nom=nom)
                elif profil.proprietaire == "psy":
                    ej = self.chs_par_departement.get(dep) or self.nouvelle_ej(
                        f"ETABLISSEMENT PUBLIC DE SANTE MENTALE {self.departement(dep)}", lieu, "11")
                    self.chs_par_departement[dep] = ej
                    self.nouvel_eg(ej, profil, lieu)
                else:
                    if profil.categorie in {"460", "354", "209"} and self.rng.random() < 0.25:
                        nom_federation = f"FEDERATION ADMR {self.departement(dep)}"
                        federation = self.ejs_par_nom.get(nom_federation) or self.nouvelle_ej(nom_federation, lieu,
                                                                                              "60")
                        self.nouvel_eg(federation, profil, lieu, nom=self.nom_eg(profil, lieu, "ADMR"))
                        continue
                    ej, nom = self.gestionnaire(profil, lieu)
                    self.nouvel_eg(ej, profil, lieu, nom=nom)

    def lieu_libre(self, profil: cat.Profil, dep: str) -> LieuCommune:
        """A commune for the service; one named after its commune goes preferably where the
        name is free (a SAVS per town rather than "SAVS NANTES NORD" in a village)."""
        seuil = 4000 if profil.proprietaire == "psy" else 800  # CMP and CATTP sit in towns
        lieu = self.choisir_commune(dep, profil.grande_ville, seuil)
        if profil.noms in {"commune", "had"}:
            for _ in range(6):
                if f"{profil.sigle} {_majuscules_sans_accents(lieu.nom)}" not in self.noms_eg:
                    break
                lieu = self.choisir_commune(dep, profil.grande_ville, seuil)
        return lieu

    def hopitaux_reels(self, dep: str) -> None:
        """The département's public hospitals as they are: EJ, sites, the units each site runs."""
        profils = {p.categorie: p for p in cat.PROFILS}
        for nom_ej, statut, support, sites in noms.HOPITAUX[dep]:
            lieux = [self.par_code.get(site[2]) for site in sites]
            if not lieux[0]:
                continue
            adresse = sites[0][3]
            ej = self.nouvelle_ej(nom_ej, lieux[0], statut, adresse)
            ej.support_ght = support
            self.hopitaux_par_departement.setdefault(dep, []).append((ej, lieux[0]))
            for (nom, categorie, _code, adresse, unites), lieu in zip(sites, lieux):
                if lieu is None:
                    continue
                profil = profils[categorie]
                modeles = [m for m in profil.uos if m.nom in unites] if unites else None
                self.nouvel_eg(ej, profil, lieu, nom=nom, complet=categorie == "101", adresse=adresse,
                               modeles=modeles)
                self.communes_avec_hopital.add(lieu.code)
                if categorie == "292":
                    self.chs_par_departement.setdefault(dep, ej)
        # Without a psychiatric hospital, the support hospital runs the CMP (CH LAVAL in Mayenne).
        support = next((ej for ej, _ in self.hopitaux_par_departement.get(dep, []) if ej.support_ght), None)
        if support:
            self.chs_par_departement.setdefault(dep, support)

    def hopitaux_generes(self, dep: str, nombres: dict[str, int]) -> None:
        """Elsewhere: the CHU in the largest commune, then one CH per commune in order of population
        (one "CH <commune>" per commune); a city that needs more gets sites ("CHU X - HOPITAL NORD")."""
        profils = {p.categorie: p for p in cat.PROFILS}
        communes = sorted(self.communes[dep], key=lambda c: (-c.population, c.code))
        libres = iter(c for c in communes if c.code not in self.communes_avec_hopital)
        principal: tuple[Ligne, LieuCommune, str] | None = None

        def site(profil: cat.Profil) -> None:
            ej, lieu, prefixe = principal
            ville = _majuscules_sans_accents(lieu.nom)
            nom = self.nom_unique([f"{prefixe} {ville} - {s}" for s in noms.SITES_HOPITAL] + [
                f"{prefixe} {ville} - {s} {q}" for s in noms.SITES_HOPITAL for q in noms.QUARTIERS])
            self.nouvel_eg(ej, profil, lieu, nom=nom, complet=profil.categorie == "101")

        for categorie, prefixe, nom_ej, statut in (("101", "CHU", "CENTRE HOSPITALIER UNIVERSITAIRE", "15"),
                                                    ("355", "CH", "CENTRE HOSPITALIER", "13"),
                                                    ("106", "CH", "CENTRE HOSPITALIER", "13"),
                                                    ("292", "CHS", "CENTRE HOSPITALIER SPECIALISE", "11")):
            profil = profils[categorie]
            for _ in range(nombres.get(categorie, 0)):
                lieu = next(libres, None)
                if lieu is None:  # no commune left: another site of the main hospital
                    if principal:
                        site(profil)
                    continue
                ville = _majuscules_sans_accents(lieu.nom)
                if categorie == "292" and dep not in self.chs_par_departement:
                    ej = self.nouvelle_ej(f"ETABLISSEMENT PUBLIC DE SANTE MENTALE {self.departement(dep)}", lieu,
                                          statut)
                    nom = self.nom_unique([f"EPSM {self.departement(dep)}", f"CHS {ville}"])
                else:
                    ej = self.nouvelle_ej(f"{nom_ej} {ville}", lieu, statut)
                    nom = self.nom_unique([f"{prefixe} {ville}", *(f"{prefixe} {ville} - {s}"
                                                                   for s in noms.SITES_HOPITAL)])
                self.nouvel_eg(ej, profil, lieu, nom=nom, complet=categorie == "101")
                self.communes_avec_hopital.add(lieu.code)
                self.hopitaux_par_departement.setdefault(dep, []).append((ej, lieu))
                if categorie == "292":
                    self.chs_par_departement.setdefault(dep, ej)
                if principal is None:
                    principal = (ej, lieu, prefixe)
                    ej.support_ght = True

    def ght(self, dep: str) -> None:
        """The GHT of the département: its public hospitals, around the support establishment."""
        membres = [ej for ej, _ in self.hopitaux_par_departement.get(dep, [])
                   if self.concept_statut(ej) in PUBLICS_HOSPITALIERS]
        support = next((ej for ej in membres if ej.support_ght), None)
        if support is None or len(membres) < 2:
            return
        nom = noms.GHT.get(dep) if self.vitrine and dep in noms.HOPITAUX else f"GHT {self.departement(dep)}"
        self.groupements.append(Groupement("GHT", nom, dep, support, membres))

    def concept_statut(self, ej: Ligne) -> str:
        return self.codes_statut[ej.champs["statut_juridique_id"]]

    @property
    def codes_statut(self) -> dict:
        if not hasattr(self, "_codes_statut"):
            self._codes_statut = {pk: code for (cle, code), pk in self.concepts.items() if cle == "J173"}
        return self._codes_statut

    def construire_cpts(self, profil: cat.Profil, dep: str, nombre: int) -> None:
        """CPTS share the département: each one's territory is the communes nearer to its main
        commune than to any other CPTS's, within its radius (real neighbouring communes)."""
        candidates = [c for c in self.communes[dep] if c.population >= 1500] or self.communes[dep]
        centres: list[LieuCommune] = []
        while candidates and len(centres) < nombre:
            choisi = self.rng.choices(candidates, weights=[math.sqrt(c.population or 1) for c in candidates])[0]
            centres.append(choisi)
            candidates = [c for c in candidates if c is not choisi]
        territoires: dict[str, list[str]] = {c.code: [] for c in centres}
        rayon = (profil.rayon_territoire_km or 15) ** 2
        for commune in self.communes[dep]:
            cos_lat = math.cos(math.radians(commune.lat))
            distances = [(((c.lon - commune.lon) * 111.32 * cos_lat) ** 2 + ((c.lat - commune.lat) * 110.57) ** 2,
                          c.code) for c in centres]
            if distances:
                d, code = min(distances)
                if d <= rayon:
                    territoires[code].append(commune.code)
        for lieu in centres:
            nom = self.nom_eg(profil, lieu)
            ej = self.nouvelle_ej(f"ASSOCIATION {nom}", lieu, "60")
            self.nouvel_eg(ej, profil, lieu, nom=nom, territoire=territoires[lieu.code])

    def construire_vitrine(self) -> None:
        """Named structures the demo accounts and the guide refer to (Pays de la Loire); the
        region's hospitals (CHU ANGERS, CH CHOLET…) come from the hospitals list."""
        if not {"49007", "49015"} <= set(self.par_code):
            return
        angers, avrille = self.par_code["49007"], self.par_code["49015"]
        profils = {p.categorie: p for p in cat.PROFILS}
        ej = self.nouvelle_ej("ASSOCIATION LES MAGNOLIAS D'ANJOU", angers, "61")
        self.nouvel_eg(ej, profils["500"], angers, nom="EHPAD LES MAGNOLIAS", complet=True)
        self.nouvel_eg(ej, profils["500"], avrille, nom="EHPAD LE CLOS FLEURI")
        self.nouvel_eg(ej, profils["354"], angers, nom="SSIAD LES MAGNOLIAS", complet=True)


# Médico-social family of activities (J51, required by the guide's RG_EXP_007 for a champ « médico-social »
# offer), by mode de prise en charge: hébergement, accueil de jour, domicile, consultation.
FAMILLES_PAR_MODE = {"46": "04", "47": "025", "49": "011", "32": "004"}


def lieu_et_famille(champ: str, modes, type_uo: str | None, capacite: int | None) -> dict:
    """The place's function and housing (J198, J32) of a unit that houses people, and the family of a
    médico-social unit's activities, as {field: (value set, code) or number}. From the unit's own data,
    with no random draw: the rest of the region stays as it was, and an existing demo is completed alike."""
    valeurs = {}
    if champ == "04" and modes:
        valeurs["famille_activite"] = ("J51", FAMILLES_PAR_MODE.get(modes[0], "02"))
    if "46" in modes:
        valeurs["fonction_lieu"] = ("J198", "001")  # Hébergement
        if champ == "04":
            # Résidences autonomie: small flats (F1 bis); other médico-social housing: single rooms.
            valeurs["type_habitation"] = ("J32", "05" if type_uo == "22" else "02")
            valeurs["nombre_habitations"] = capacite
    return valeurs


def completer_lieux_et_familles() -> int:
    """Fill the place, housing and family of the units of a demo built before those fields existed
    (once: nothing if any unit has one already); returns how many units changed."""
    if Structure.objects.filter(Q(famille_activite__isnull=False) | Q(fonction_lieu__isnull=False)).exists():
        return 0
    concepts = {(c.nomenclature.cle, c.code): c for c in Concept.objects.filter(
        nomenclature__cle__in=["J51", "J198", "J32"]).select_related("nomenclature")}
    uos = (Structure.objects.uo().select_related("champ", "type_uo").prefetch_related("modes_prise_en_charge").order_by("pk"))
    changees = []
    for uo in uos.iterator(chunk_size=2000):
        modes = sorted(m.code for m in uo.modes_prise_en_charge.all())
        valeurs = lieu_et_famille(uo.champ.code if uo.champ_id else "", modes,
                                  uo.type_uo.code if uo.type_uo_id else None,
                                  uo.lits_installes or uo.places_installees)
        if not valeurs:
            continue
        for nom, valeur in valeurs.items():
            setattr(uo, nom, concepts[valeur] if isinstance(valeur, tuple) else valeur)
        changees.append(uo)
    with transaction.atomic():
        Structure.objects.bulk_update(changees, ["famille_activite", "fonction_lieu", "type_habitation",
                                                 "nombre_habitations"], batch_size=2000)
        if changees:
            changer_version_offre()  # cached pages of the offer are stale
    return len(changees)


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
    compte = ecrire(generateur)
    compte["groupements"] = creer_groupements(generateur)
    return compte


def creer_groupements(generateur: Generateur) -> int:
    """The GHT, once their members have ids: through the Répertoire's service, like a gestionnaire."""
    for g in generateur.groupements:
        membres = list(Structure.objects.filter(pk__in=[m.champs["id"] for m in g.membres]))
        support = next(m for m in membres if m.pk == g.support.champs["id"])
        groupements.creer_groupement(None, g.nom, support, membres, type=g.type, departement_id=g.departement)
    return len(generateur.groupements)
