"""The ANS quality requirements of a ROR, computed as the ANS's public SQL computes them
(repository ansforge/ROR-indicateurs-BI-SQL; files and commits cited on each indicator).

The ANS compares its copy of the ROR with its copy of FINESS; here the ROR is the
Répertoire and FINESS is what the last imports recorded (repertoire.EtablissementFiness,
repertoire.AutorisationFiness). Each indicator gives one row per structure (or offer) with
its status « Conforme » / « Écart », aggregated by département and champ.

Where the SQL depends on data this portal does not hold, the difference is said on the
indicator (`ecarts_au_sql`).
"""

import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from repertoire import autorisations as regles
from repertoire.models import AutorisationFiness, EtablissementFiness, Etat, Niveau, Structure

from . import indicateurs

CONFORME, ECART = "Conforme", "Écart"
DEPOT = "ansforge/ROR-indicateurs-BI-SQL"

# view_V_DIM_AutorisationFINESS.sql (commit 0caede3): perimeters and domains by FINESS category.
NOUVEAU_PERIMETRE = {"178", "197", "228", "603", "604", "606", "617", "618"}
PERIMETRE_HISTORIQUE = {
    "101", "106", "109", "114", "122", "127", "128", "129", "131", "141", "146", "156", "161", "182", "183", "186",
    "188", "189", "190", "192", "194", "195", "196", "198", "202", "207", "209", "221", "238", "246", "249", "252",
    "253", "255", "292", "354", "355", "362", "365", "366", "370", "377", "379", "381", "382", "390", "395", "396",
    "402", "412", "415", "425", "430", "437", "444", "445", "446", "448", "449", "460", "500", "501", "502", "696",
    "697", "698"}
MEDICO_SOCIAL = {"178", "182", "183", "186", "188", "189", "190", "192", "194", "195", "196", "197", "198", "202",
                 "207", "209", "221", "228", "238", "246", "249", "252", "253", "255", "354", "370", "377", "379",
                 "381", "382", "390", "395", "396", "402", "437", "445", "446", "448", "449", "460", "500", "501",
                 "502"}
SANITAIRE = {"101", "106", "109", "114", "122", "127", "128", "129", "131", "141", "146", "156", "161", "292", "355",
             "362", "365", "366", "412", "415", "425", "430", "444", "696", "697", "698"}
CATEGORIES_PSY = {"156", "161", "292", "366", "412", "415", "425", "430", "444"}
CATEGORIES_HORS_FINESS = {"SA05", "SA07", "SA08", "SA09"}
# view_V_DIM_SuiviPeuplementROR_EG.sql (commit 088d127): champ d'activité by category.
CHAMPS_PAR_CATEGORIE = [
    ({"202", "207", "381", "500", "501", "502"}, "PA"),
    ({"182", "183", "186", "188", "189", "190", "192", "194", "195", "196", "198", "221", "238", "246", "249", "252",
      "253", "255", "370", "377", "379", "382", "390", "395", "396", "402", "437", "445", "446", "448", "449"}, "PH"),
    ({"209", "354", "460"}, "Services PAPH"),
    ({"178", "197", "228"}, "Autres MS"),
    ({"604", "606"}, "Coordination"),
    ({"603"}, "Ville"),
    (CATEGORIES_PSY, "PSY"),
]
# J17 activités of emergency offers and the R213 mode of CO1 (view_V_DIM_ExigenceQualite_CO1.sql).
J17_URGENCES, J17_URGENCES_PED, MODE_URGENCE = "157", "249", "33"


def perimetre(categorie: str) -> str:
    if categorie in NOUVEAU_PERIMETRE:
        return "Nouveau périmètre 2023"
    return "Périmètre historique" if categorie in PERIMETRE_HISTORIQUE else "Non suivi"


def domaine(categorie: str) -> str:
    if categorie in MEDICO_SOCIAL:
        return "Medico-social"
    if categorie in SANITAIRE:
        return "Sanitaire"
    if categorie in ("604", "606"):
        return "Coordination"
    if categorie in ("124", "603", "617", "618", "SA05", "SA07", "SA08", "SA09"):
        return "Offre de ville"
    return "Non défini"


def champ(categorie: str) -> str:
    for categories, nom in CHAMPS_PAR_CATEGORIE:
        if categorie in categories:
            return nom
    return "MCO" if categorie in SANITAIRE else "Autre"


def sans_accents(texte: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", texte.lower()) if unicodedata.category(c) != "Mn")


@dataclass
class Ligne:
    """One structure (or offer) measured by a requirement."""

    finess: str
    nom: str
    departement: str
    champ: str
    statut: str
    detail: str = ""
    structure_id: int | None = None


@dataclass
class Agregat:
    cle: str
    total: int = 0
    conformes: int = 0

    @property
    def taux(self) -> float | None:
        return 100 * self.conformes / self.total if self.total else None


@dataclass
class Indicateur:
    code: str
    libelle: str
    definition: str
    source: str  # file and commit of the ANS SQL
    lignes: list[Ligne] = field(default_factory=list)
    ecarts_au_sql: str = ""

    @property
    def total(self) -> int:
        return len(self.lignes)

    @property
    def conformes(self) -> int:
        return sum(ligne.statut == CONFORME for ligne in self.lignes)

    @property
    def taux(self) -> float | None:
        return 100 * self.conformes / self.total if self.total else None

    @property
    def en_ecart(self) -> list[Ligne]:
        return [ligne for ligne in self.lignes if ligne.statut != CONFORME]

    def par(self, attribut: str) -> list[Agregat]:
        agregats: dict[str, Agregat] = {}
        for ligne in self.lignes:
            cle = getattr(ligne, attribut) or "—"
            a = agregats.setdefault(cle, Agregat(cle))
            a.total += 1
            a.conformes += ligne.statut == CONFORME
        return sorted(agregats.values(), key=lambda a: a.cle)


# -- shared reads ----------------------------------------------------------------------------

@dataclass
class Donnees:
    """The Répertoire's EG and FINESS's register of the perimeter, read once."""

    egs: list[dict]
    finess: dict[str, EtablissementFiness]
    autorisations: dict[str, list[AutorisationFiness]]
    aujourd_hui: object


def charger(departements: set[str] | None = None) -> Donnees:
    egs = Structure.objects.eg()
    registre = EtablissementFiness.objects.all()
    if departements is not None:
        egs = egs.filter(departement_id__in=departements)
        registre = registre.filter(departement__in=departements)
    lignes = list(egs.values("pk", "finess", "nom", "etat", "departement_id", "categorie__code", "ej__finess"))
    finess = {e.finess: e for e in registre}
    # FINESS EG of the perimeter, and the Répertoire's EG wherever FINESS puts them.
    numeros = set(finess) | {eg["finess"] for eg in lignes if eg["finess"]}
    for e in EtablissementFiness.objects.filter(finess__in=numeros - set(finess)):
        finess[e.finess] = e
    autorisations = defaultdict(list)
    for a in AutorisationFiness.objects.filter(exercee=True, finess_eg__in=set(finess)):
        autorisations[a.finess_eg].append(a)
    return Donnees(lignes, finess, autorisations, timezone.localdate())


def compter_autorisations(autorisations: list[AutorisationFiness], categorie: str) -> Counter:
    """The counts of view_V_DIM_AutorisationFINESS.sql (NB_Autorisation…) for one EG."""
    n = Counter()
    for a in autorisations:
        if not regles.en_vigueur(a):
            continue
        act, mod, forme = a.activite, a.modalite, a.forme
        n["MCO"] += (forme == "05" and act != "04") or act in regles.ACTIVITES_MCO
        n["SMR"] += act in regles.ACTIVITES_SMR and forme != "05"
        n["PSY"] += act == "04"
        n["Reanimation"] += act == "15" and mod == "09"
        n["ReanimationPediatrique"] += act == "15" and mod in ("10", "98")
        n["ReanimationNeonat"] += act == "03" and mod == "04"
        n["Urgences"] += act == "14" and mod == "23"
        n["UrgencesPediatriques"] += act == "14" and mod == "24"
    if categorie in CATEGORIES_PSY:  # ISNULL(nmautorisation, nmfinessetab): the category alone counts
        n["PSY"] += max(1, n["PSY"]) - n["PSY"]
    return n


def finess_suivis(d: Donnees) -> list[EtablissementFiness]:
    """V_DIM_AutorisationFINESS: FINESS EG open (opened, not closed), outside 975."""
    return [e for e in d.finess.values()
            if not e.ferme and e.date_ouverture is not None and e.date_fermeture is None and e.departement != "975"]


def _offres_j17(eg_ids) -> dict[int, set[str]]:
    """J17 codes of each EG's UOs, by EG id (closed or not, as the EX3-5 SQL)."""
    codes = defaultdict(set)
    through = Structure.activites.through
    for eg_id, code in through.objects.filter(structure__eg_id__in=eg_ids, structure__niveau=Niveau.UO) \
            .values_list("structure__eg_id", "concept__code"):
        codes[eg_id].add(code)
    return codes


# -- the requirements ------------------------------------------------------------------------

def ex1_2(d: Donnees) -> Indicateur:
    ind = Indicateur(
        "EX1.2", "Exhaustivité : établissements FINESS présents dans le ROR",
        "Chaque établissement FINESS ouvert du périmètre historique (sanitaire avec une autorisation MCO, PSY ou SMR "
        "en vigueur, ou médico-social) existe dans le ROR avec son numéro FINESS.",
        f"{DEPOT} requetes/dimensions/view_V_DIM_ExigenceQualite_EX1.2.sql @088d127",
        ecarts_au_sql="Une autorisation sans date de fin compte comme en vigueur (le flux JSON laisse la date vide ; "
                      "la jointure SQL sur dtfin_acts ≥ 2021-05-01 suppose une date).")
    dans_le_ror = {eg["finess"]: eg["pk"] for eg in d.egs if eg["finess"]}
    for e in finess_suivis(d):
        if perimetre(e.categorie) != "Périmètre historique":
            continue
        n = compter_autorisations(d.autorisations.get(e.finess, []), e.categorie)
        dom = domaine(e.categorie)
        if not ((dom == "Sanitaire" and (n["MCO"] or n["PSY"] or n["SMR"])) or dom == "Medico-social"):
            continue
        pk = dans_le_ror.get(e.finess)
        ind.lignes.append(Ligne(e.finess, e.nom, e.departement, champ(e.categorie), CONFORME if pk else ECART,
                                "" if pk else "absent du ROR", pk))
    return ind


def ex2(d: Donnees) -> Indicateur:
    ind = Indicateur(
        "EX2", "État ouvert / fermé conforme à FINESS",
        "Chaque établissement du ROR ayant un numéro FINESS a le même état que dans FINESS : ouvert dans les deux, "
        "ou fermé dans les deux ; ouvert dans le ROR mais absent de FINESS est un écart.",
        f"{DEPOT} requetes/dimensions/view_V_DIM_ExigenceQualite_EX2.sql @088d127",
        ecarts_au_sql="Le ROR du portail ne distingue pas fermeture provisoire et définitive (les règles PRO/DEF "
                      "ne s'appliquent pas) ; FINESS sans constat de caducité dans le flux JSON.")
    for eg in d.egs:
        if not eg["finess"]:
            continue
        e = d.finess.get(eg["finess"])
        ouvert_ror = eg["etat"] != Etat.FERME
        if e is None:
            statut, detail = (ECART, "ouvert dans le ROR, absent de FINESS") if ouvert_ror else (CONFORME, "")
        elif e.ferme and ouvert_ror:
            statut, detail = ECART, f"fermé dans FINESS{f' le {e.date_fermeture:%d/%m/%Y}' if e.date_fermeture else ''}"
        elif not e.ferme and not ouvert_ror:
            statut, detail = ECART, "ouvert dans FINESS, fermé dans le ROR"
        else:
            statut, detail = CONFORME, ""
        ind.lignes.append(Ligne(eg["finess"], eg["nom"], eg["departement_id"] or "",
                                champ(eg["categorie__code"] or ""), statut, detail, eg["pk"]))
    return ind


EXIGENCES_REA = [("EX3", "Reanimation", "réanimation adulte", {"121", "122", "123", "124", "125", "126", "127", "129"}),
                 ("EX4", "ReanimationPediatrique", "réanimation pédiatrique", {"130"}),
                 ("EX5", "ReanimationNeonat", "réanimation néonatale", {"128"})]


def ex3_4_5(d: Donnees) -> list[Indicateur]:
    source = f"{DEPOT} view_V_DIM_ExigenceQualite_EX3_EX4_EX5.sql @0caede3"
    resultats = {code: Indicateur(
        code, f"Autorisation de {libelle} décrite par une offre",
        f"Chaque établissement FINESS suivi ayant une autorisation de {libelle} en vigueur a dans le ROR au moins "
        f"une offre portant l'activité opérationnelle correspondante ({', '.join(sorted(j17))}).", source)
        for code, _, libelle, j17 in EXIGENCES_REA}
    ror = {eg["finess"]: eg for eg in d.egs if eg["finess"]}
    suivis = [e for e in finess_suivis(d) if perimetre(e.categorie) != "Non suivi"]
    offres = _offres_j17([ror[e.finess]["pk"] for e in suivis if e.finess in ror])
    for e in suivis:
        n = compter_autorisations(d.autorisations.get(e.finess, []), e.categorie)
        eg = ror.get(e.finess)
        codes = offres.get(eg["pk"], set()) if eg else set()
        for code, cle, libelle, j17 in EXIGENCES_REA:
            if not n[cle]:
                continue
            ok = bool(codes & j17)
            resultats[code].lignes.append(Ligne(
                e.finess, e.nom, e.departement, champ(e.categorie), CONFORME if ok else ECART,
                "" if ok else (f"aucune offre de {libelle}" if eg else "établissement absent du ROR"),
                eg["pk"] if eg else None))
    return list(resultats.values())


def st2_co4(d: Donnees) -> list[Indicateur]:
    source = f"{DEPOT} requetes/dimensions/view_V_DIM_ExigenceQualite_ST2_CO4.sql @21de50d"
    st2 = Indicateur("ST2", "Rattachement de l'EG à son EJ conforme à FINESS",
                     "L'entité juridique d'un établissement ouvert du ROR a le numéro FINESS que FINESS lui donne.",
                     source)
    co4 = Indicateur("CO4", "Catégorie de l'EG conforme à FINESS",
                     "La catégorie d'un établissement ouvert du ROR est celle de FINESS (hors catégories SA05-SA09).",
                     source)
    for eg in d.egs:
        if not eg["finess"] or eg["etat"] == Etat.FERME:
            continue
        e = d.finess.get(eg["finess"])
        commun = dict(finess=eg["finess"], nom=eg["nom"], departement=eg["departement_id"] or "",
                      champ=champ(eg["categorie__code"] or ""), structure_id=eg["pk"])
        ok = e is not None and eg["ej__finess"] == e.finess_ej
        st2.lignes.append(Ligne(statut=CONFORME if ok else ECART, detail="" if ok else
                                f"EJ {eg['ej__finess'] or '—'} dans le ROR, {e.finess_ej if e else 'absent'} dans FINESS",
                                **commun))
        categorie = eg["categorie__code"] or ""
        if categorie in CATEGORIES_HORS_FINESS:
            continue
        ok = e is not None and categorie == e.categorie
        co4.lignes.append(Ligne(statut=CONFORME if ok else ECART, detail="" if ok else
                                f"catégorie {categorie or '—'} dans le ROR, {e.categorie if e else 'absent'} dans FINESS",
                                **commun))
    return [st2, co4]


def co1(d: Donnees) -> Indicateur:
    ind = Indicateur(
        "CO1", "Offres d'urgence nommées « urgence » et autorisées",
        "Chaque offre ouverte d'urgences (activité 157 ou 249, mode de prise en charge 33) a un nom contenant "
        "« urgence » et son établissement a l'autorisation FINESS correspondante (médecine d'urgence 14/23, ou 14/24 "
        "pour les urgences pédiatriques).",
        f"{DEPOT} requetes/dimensions/view_V_DIM_ExigenceQualite_CO1.sql @088d127")
    suivis = {e.finess: e for e in finess_suivis(d) if perimetre(e.categorie) != "Non suivi"}
    par_pk = {eg["pk"]: eg for eg in d.egs}
    uos = (Structure.objects.uo().ouvertes().filter(eg_id__in=par_pk, activites__code__in=[J17_URGENCES,
                                                                                         J17_URGENCES_PED],
                                                    modes_prise_en_charge__code=MODE_URGENCE).distinct())
    codes = defaultdict(set)
    for uo_id, code in Structure.activites.through.objects.filter(structure__in=uos).values_list(
            "structure_id", "concept__code"):
        codes[uo_id].add(code)
    for uo in uos.only("pk", "nom", "eg_id"):
        eg = par_pk[uo.eg_id]
        e = suivis.get(eg["finess"])
        if e is None:  # WHERE TypePerimetreROR <> 'Non suivi' drops offers of EG without FINESS
            continue
        n = compter_autorisations(d.autorisations.get(e.finess, []), e.categorie)
        urg, ped = J17_URGENCES in codes[uo.pk], J17_URGENCES_PED in codes[uo.pk]
        autorise = ((urg and n["Urgences"] and ped and n["UrgencesPediatriques"])
                    or (urg and n["Urgences"] and not ped) or (ped and n["UrgencesPediatriques"] and not urg))
        nomme = "urgence" in sans_accents(uo.nom)
        manque = [m for m, ok in (("nom sans « urgence »", nomme), ("sans autorisation d'urgences", autorise)) if not ok]
        ind.lignes.append(Ligne(eg["finess"], uo.nom, eg["departement_id"] or "", champ(e.categorie),
                                CONFORME if not manque else ECART, ", ".join(manque), uo.pk))
    return ind


def re1_2(d: Donnees) -> Indicateur:
    ind = Indicateur(
        "RE1.2", "Fraîcheur : offres mises à jour depuis moins d'un an",
        "Un établissement ouvert est conforme si au moins 25 % de ses offres ouvertes (arrondi à 2 décimales) ont "
        "été mises à jour dans les 12 derniers mois, ou au moins une s'il en a moins de 8, ou s'il n'en a aucune. "
        "Une vérification « rien n'a changé » compte comme une mise à jour.",
        f"{DEPOT} requetes/dimensions/view_V_DIM_ExigenceQualite_RE1.2.sql @088d127")
    limite = timezone.now() - timedelta(days=365)
    ouverts = {eg["pk"]: eg for eg in d.egs if eg["etat"] != Etat.FERME
               and (eg["categorie__code"] or "") not in CATEGORIES_HORS_FINESS}
    offres = defaultdict(list)
    for eg_id, modifie, verifie in Structure.objects.uo().ouvertes().filter(eg_id__in=ouverts).values_list(
            "eg_id", "modifie_le", "date_verification"):
        offres[eg_id].append(max(modifie, verifie) if verifie else modifie)
    for pk, eg in ouverts.items():
        dates = offres.get(pk, [])
        n, a_jour = len(dates), sum(d_ > limite for d_ in dates)
        if n == 0 or (n < 8 and a_jour >= 1) or (n >= 8 and round(a_jour / n, 2) >= 0.25):
            statut = CONFORME
        else:
            statut = ECART
        attendu = 0 if n == 0 else 1 if n < 8 else int(round(n * 0.25))
        ind.lignes.append(Ligne(eg["finess"], eg["nom"], eg["departement_id"] or "", champ(eg["categorie__code"] or ""),
                                statut, f"{a_jour} offre(s) à jour sur {n} (au moins {attendu})", pk))
    return ind


STATUTS_CP4 = ("Finalisé", "En cours", "À faire")


def cp4(d: Donnees) -> Indicateur:
    ind = Indicateur(
        "CP4", "Statut de peuplement des établissements",
        "Un établissement est « Finalisé » quand toutes ses unités ouvertes sont finalisées (critères ANS), « En "
        "cours » quand au moins une unité est en cours, « À faire » sinon (aucune unité, ou aucune en cours). Le "
        "taux est celui des établissements finalisés.",
        f"{DEPOT} requetes/dimensions/view_V_DIM_SuiviPeuplementROR_EG.sql @088d127",
        ecarts_au_sql="Périmètre : les établissements ouverts du Répertoire (la cible FINESS de la vue "
                      "V_DIM_CiblePeuplementROR_EG n'est pas publiée) ; un statut par établissement, pas par champ.")
    ouverts = {eg["pk"]: eg for eg in d.egs if eg["etat"] != Etat.FERME}
    statuts = defaultdict(Counter)
    for eg_id, statut in indicateurs.uos_evaluees(Structure.objects.filter(eg_id__in=ouverts)).values_list(
            "eg_id", "statut"):
        statuts[eg_id][statut] += 1
    for pk, eg in ouverts.items():
        c = statuts.get(pk, Counter())
        nb = sum(c.values())
        if nb and c[indicateurs.FINALISE] == nb:
            statut = "Finalisé"
        elif nb and c[indicateurs.EN_COURS]:
            statut = "En cours"
        else:
            statut = "À faire"
        ind.lignes.append(Ligne(eg["finess"], eg["nom"], eg["departement_id"] or "", champ(eg["categorie__code"] or ""),
                                CONFORME if statut == "Finalisé" else ECART,
                                f"{statut} ({c[indicateurs.FINALISE]} unité(s) finalisée(s) sur {nb})", pk))
    return ind


def objectif_segur(taux_reference: float | None, total_reference: int) -> float:
    """DC_ObjectifSEGUR of view_V_IND_ObjectifSEGUR.sql (population)."""
    if not total_reference:
        return 0.85
    if taux_reference >= 0.95:
        return 1.0
    if round(taux_reference, 2) >= 0.85:
        return taux_reference + 0.05
    return 0.85


def reste_a_faire(objectif: float, total: int, finalises: int) -> int:
    """NB_ResteAFaireActuel of the same view."""
    taux = finalises / total if total else 0
    if round(taux, 2) >= round(objectif, 2):
        return 0
    return math.ceil(round(total * objectif - finalises, 9))  # DECIMAL in the SQL: no float residue


CHAMPS_SEGUR = ("PA", "PH", "MCO", "PSY")


@dataclass
class LigneSegur:
    champ: str
    total: int
    finalises: int
    objectif: float
    reste: int
    reference: str

    @property
    def taux(self) -> float | None:
        return 100 * self.finalises / self.total if self.total else None

    @property
    def atteint(self) -> bool:
        return self.reste == 0


def segur(cp4_actuel: Indicateur, reference: dict[str, tuple[int, int]] | None = None,
          date_reference: str = "") -> list[LigneSegur]:
    """Ségur targets by champ (PA, PH, MCO, PSY): the target comes from the reference snapshot
    (total, finalised); the current CP4 says how many remain."""
    reference = reference or {}
    lignes = []
    for nom in CHAMPS_SEGUR:
        courant = [ligne for ligne in cp4_actuel.lignes if ligne.champ == nom]
        total, finalises = len(courant), sum(ligne.statut == CONFORME for ligne in courant)
        total_ref, finalises_ref = reference.get(nom, (total, finalises))
        objectif = objectif_segur(finalises_ref / total_ref if total_ref else None, total_ref)
        lignes.append(LigneSegur(nom, total, finalises, objectif, reste_a_faire(objectif, total, finalises),
                                 date_reference))
    return lignes


def tous(departements: set[str] | None = None) -> list[Indicateur]:
    d = charger(departements)
    return [ex1_2(d), ex2(d), *ex3_4_5(d), *st2_co4(d), co1(d), re1_2(d), cp4(d)]


def derniere_mise_a_jour_finess():
    return EtablissementFiness.objects.aggregate(m=Max("date_maj"))["m"]
