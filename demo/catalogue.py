"""What the demo region is made of: kinds of establishment (FINESS category J55), how
many of each a region like Pays de la Loire has, and the units (UO) each kind really
runs, described with real NOS codes. Read by demo/region.py.

Codes: type d'UO J34, champ J20 (01 MCO, 02 SSR, 03 PSY, 04 MS, 05 ambulatoire),
activités J17, modes de prise en charge R213, publics J29, temporalités J30,
modalités d'accueil J226, spécialisations J35, ouverture annuelle J28.
"""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ModeleUO:
    nom: str
    type_uo: str | None
    champ: str
    discipline: str
    activites: tuple = ()
    modes: tuple = ()
    publics: tuple = ()
    ages: tuple = (None, None)
    lits: tuple | None = None  # (min, max) lits installés
    places: tuple | None = None  # (min, max) places installées
    temporalites: tuple = ()
    modalites: tuple = ()
    specialisations: tuple = ()
    ouverture: str | None = "03"
    probabilite: float = 1.0
    horaires: bool = False
    niveau_expertise: str | None = None


@dataclass(frozen=True)
class Profil:
    categorie: str  # J55
    sigle: str
    nombre: int  # in a region of Pays de la Loire's size
    uos: tuple
    proprietaire: str  # "public" (own EJ), "association", "groupe", "psy" (under a CHS), "liberal"
    noms: str = "generique"  # pool of names
    grande_ville: bool = False  # placed in the largest communes
    rayon_territoire_km: float | None = None  # territoire d'intervention
    statut_juridique: str = "60"
    aide_sociale: bool = False


PA = ("01",)
PH = ("02",)
ADULTES = (18, 120)
AGEES = (60, 120)
ENFANTS = (0, 17)
TOUS = (0, 120)

# -- medico-social, personnes âgées --------------------------------------------------
HEBERGEMENT_PERMANENT = ModeleUO(
    "Hébergement permanent", "21", "04", "MSS", activites=("293", "322", "312", "313"), modes=("46",),
    publics=PA, ages=AGEES, lits=(45, 110), temporalites=("02",), modalites=("01",))
HEBERGEMENT_TEMPORAIRE = ModeleUO(
    "Hébergement temporaire", "21", "04", "MSS", activites=("293", "393", "325"), modes=("46",), publics=PA,
    ages=AGEES, places=(2, 8), temporalites=("01",), probabilite=0.6)
ACCUEIL_DE_JOUR = ModeleUO(
    "Accueil de jour", "21", "04", "MSS", activites=("306", "325", "312"), modes=("47",), publics=PA, ages=AGEES,
    places=(6, 15), temporalites=("01",), specialisations=("28",), ouverture="01", probabilite=0.4, horaires=True)
PASA = ModeleUO(
    "Pôle d'activités et de soins adaptés (PASA)", "25", "04", "MSS", activites=("306", "314"), modes=("47",),
    publics=PA, ages=AGEES, places=(12, 14), specialisations=("28",), ouverture="01", probabilite=0.35, horaires=True)
UHR = ModeleUO(
    "Unité d'hébergement renforcé (UHR)", "23", "04", "MSS", activites=("293", "306"), modes=("46",), publics=PA,
    ages=AGEES, lits=(12, 14), specialisations=("27",), probabilite=0.1)
UVP = ModeleUO(
    "Unité de vie protégée", "24", "04", "MSS", activites=("293", "306", "297"), modes=("46",), publics=PA,
    ages=AGEES, lits=(12, 28), specialisations=("28",), probabilite=0.35)
RESIDENCE_AUTONOMIE = ModeleUO(
    "Hébergement permanent personnes âgées autonomes", "22", "04", "MSS", activites=("322", "312", "313"),
    modes=("46",), publics=("03",), ages=AGEES, places=(20, 80), temporalites=("02",))
SSIAD = ModeleUO(
    "Soins infirmiers à domicile – personnes âgées", "28", "04", "MSS", activites=("287", "288"), modes=("49",),
    publics=PA, ages=AGEES, places=(25, 90), modalites=("05",))
SSIAD_PH = ModeleUO(
    "Soins infirmiers à domicile – personnes handicapées", "28", "04", "MSS", activites=("287", "288"),
    modes=("49",), publics=PH, ages=(18, 60), places=(3, 10), modalites=("05",), probabilite=0.5)
ESA = ModeleUO(
    "Équipe spécialisée Alzheimer (ESA)", "29", "04", "MSS", activites=("306", "325"), modes=("49",), publics=PA,
    ages=AGEES, places=(10, 10), specialisations=("28",), modalites=("05",), probabilite=0.3)
SAAD_PA = ModeleUO(
    "Aide à domicile prestataire – personnes âgées", "30", "04", "MSS", activites=("293", "299", "322", "324"),
    modes=("49",), publics=PA, ages=AGEES, modalites=("05",))
SAAD_PH = ModeleUO(
    "Aide à domicile prestataire – personnes handicapées", "30", "04", "MSS", activites=("293", "299", "298"),
    modes=("49",), publics=PH, ages=(18, 60), modalites=("05",), probabilite=0.5)
CENTRE_DE_JOUR_PA = ModeleUO(
    "Accueil de jour autonome", "21", "04", "MSS", activites=("306", "325"), modes=("47",), publics=PA, ages=AGEES,
    places=(10, 20), specialisations=("28",), ouverture="01", horaires=True)

# -- medico-social, personnes handicapées -----------------------------------------------
IME_EXTERNAT = ModeleUO(
    "IME – semi-internat", "48", "04", "MSS", activites=("300", "293", "294"), modes=("47",), publics=PH,
    ages=(3, 20), places=(20, 70), specialisations=("14",), ouverture="01", horaires=True)
IME_INTERNAT = ModeleUO(
    "IME – internat", "48", "04", "MSS", activites=("300", "293", "298"), modes=("46",), publics=PH, ages=(6, 20),
    places=(8, 30), specialisations=("14",), ouverture="04", probabilite=0.5)
IME_AUTISME = ModeleUO(
    "Unité pour enfants avec troubles du spectre de l'autisme", "48", "04", "MSS", activites=("300", "294", "295"),
    modes=("47",), publics=PH, ages=(3, 20), places=(6, 12), specialisations=("02",), ouverture="01",
    probabilite=0.45)
ESAT = ModeleUO(
    "Établissement et service d'aide par le travail", "43", "04", "MSS", activites=("304", "305", "302"),
    modes=("47",), publics=PH, ages=(18, 62), places=(40, 130), specialisations=("14", "16"), ouverture="01",
    horaires=True)
MAS = ModeleUO(
    "Maison d'accueil spécialisée – hébergement", "40", "04", "MSS", activites=("293", "285", "288"), modes=("46",),
    publics=PH, ages=(18, 90), lits=(30, 60), specialisations=("17",))
MAS_JOUR = ModeleUO(
    "Maison d'accueil spécialisée – accueil de jour", "40", "04", "MSS", activites=("293", "313"), modes=("47",),
    publics=PH, ages=(18, 90), places=(4, 10), specialisations=("17",), ouverture="01", probabilite=0.3)
FAM = ModeleUO(
    "Foyer d'accueil médicalisé – hébergement", "39", "04", "MSS", activites=("293", "285", "312"), modes=("46",),
    publics=PH, ages=(20, 90), lits=(20, 50), specialisations=("16", "14"))
FOYER_DE_VIE = ModeleUO(
    "Foyer de vie – hébergement", "97", "04", "MSS", activites=("293", "313", "312"), modes=("46",), publics=PH,
    ages=(20, 90), places=(20, 50), specialisations=("14",))
FOYER_HEBERGEMENT = ModeleUO(
    "Foyer d'hébergement pour travailleurs handicapés", "96", "04", "MSS", activites=("298", "318", "312"),
    modes=("46",), publics=PH, ages=(18, 62), places=(15, 45), specialisations=("14",))
SESSAD = ModeleUO(
    "SESSAD", "57", "04", "MSS", activites=("300", "294", "290"), modes=("49",), publics=PH, ages=(0, 20),
    places=(15, 60), specialisations=("14",), modalites=("05",), ouverture="01")
CAMSP = ModeleUO(
    "Centre d'action médico-sociale précoce", "61", "04", "MSS", activites=("448", "290", "493"), modes=("32",),
    publics=PH, ages=(0, 6), places=(30, 90), ouverture="01", horaires=True)
CMPP = ModeleUO(
    "Centre médico-psycho-pédagogique", "62", "04", "MSS", activites=("289", "290", "227"), modes=("32",),
    publics=PH, ages=(0, 20), ouverture="01", horaires=True, specialisations=("11",))
ITEP = ModeleUO(
    "Institut thérapeutique éducatif et pédagogique", "50", "04", "MSS", activites=("300", "289", "295"),
    modes=("47",), publics=PH, ages=(6, 20), places=(20, 50), specialisations=("26",), ouverture="04")
SAVS = ModeleUO(
    "Service d'accompagnement à la vie sociale", "31", "04", "MSS", activites=("298", "312", "318"), modes=("49",),
    publics=PH, ages=(18, 70), places=(20, 80), modalites=("05",))
SAMSAH = ModeleUO(
    "SAMSAH", "32", "04", "MSS", activites=("285", "298", "312"), modes=("49",), publics=PH, ages=(18, 70),
    places=(15, 40), specialisations=("16",), modalites=("05",))
EEAP = ModeleUO(
    "Établissement pour enfants polyhandicapés", "51", "04", "MSS", activites=("293", "285", "300"), modes=("46",),
    publics=PH, ages=(0, 20), places=(15, 40), specialisations=("17",))
CSAPA = ModeleUO(
    "CSAPA – consultations", "80", "04", "MSS", activites=("404", "003", "139", "450"), modes=("32",),
    publics=("04",), ages=(12, 120), modalites=("06", "07"), ouverture="01", horaires=True)
DAC = ModeleUO(
    "Dispositif d'appui à la coordination", "72", "05", "VIL", activites=("335", "317"), modes=("58",),
    publics=("07",), ages=TOUS, modalites=("05",), ouverture="01", horaires=True)
LHSS = ModeleUO(
    "Lits halte soins santé", "93", "04", "MSS", activites=("285", "287"), modes=("46",), publics=("06",),
    ages=ADULTES, lits=(5, 15))

# -- health: hospitals ----------------------------------------------------------------
def _mco(nom, type_uo, activites, modes, ages=ADULTES, lits=(15, 40), probabilite=1.0, **kw):
    return ModeleUO(nom, type_uo, "01", "MCO", activites=activites, modes=modes, publics=("07",), ages=ages,
                    lits=lits, probabilite=probabilite, **kw)


URGENCES = _mco("Urgences adultes", "20", ("157", "160"), ("33",), ages=(15, 120), lits=None,
                modalites=("06",))
URGENCES_PED = _mco("Urgences pédiatriques", "20", ("249",), ("33",), ages=(0, 17), lits=None, modalites=("06",))
SMUR = _mco("SMUR", "20", ("136", "268"), ("11",), ages=TOUS, lits=None, modalites=("02",))
REA_ADULTE = _mco("Réanimation polyvalente adulte", "16", ("127",), ("28",), lits=(8, 24))
REA_MEDICALE = _mco("Réanimation médicale", "16", ("126",), ("28",), lits=(10, 20))
REA_CHIR = _mco("Réanimation chirurgicale", "16", ("122",), ("28",), lits=(10, 20))
REA_PED = _mco("Réanimation pédiatrique", "16", ("130",), ("28",), ages=(0, 17), lits=(6, 14))
REA_NEONAT = _mco("Réanimation néonatale", "16", ("128", "094"), ("28",), ages=(0, 0), lits=(8, 20))
BRULES = _mco("Centre de traitement des grands brûlés", "16", ("121", "175"), ("28",), ages=TOUS, lits=(6, 12))
USIC = _mco("Soins intensifs de cardiologie (USIC)", "16", ("354", "013"), ("22",), lits=(6, 16))
USINV = _mco("Soins intensifs neuro-vasculaires (USINV)", "16", ("356", "098"), ("22",), lits=(4, 12))
USI_POLY = _mco("Unité de soins intensifs polyvalents", "16", ("351",), ("22",), lits=(6, 12))
USC = _mco("Unité de surveillance continue", "16", ("373",), ("23",), lits=(6, 16))
USC_PED = _mco("Surveillance continue pédiatrique", "16", ("391",), ("23",), ages=(0, 17), lits=(4, 10))
CARDIOLOGIE = _mco("Cardiologie – hospitalisation complète", "16", ("013", "132"), ("28",))
NEUROLOGIE = _mco("Neurologie", "16", ("097",), ("28",))
PNEUMOLOGIE = _mco("Pneumologie", "16", ("114",), ("28",))
MEDECINE_POLY = _mco("Médecine polyvalente", "16", ("083", "085"), ("28",))
GERIATRIE_AIGUE = _mco("Court séjour gériatrique", "16", ("491", "050"), ("28",), ages=(75, 120))
CHIR_ORTHO = _mco("Chirurgie orthopédique et traumatologique", "16", ("025", "145"), ("28",))
CHIR_VISCERALE = _mco("Chirurgie viscérale et digestive", "16", ("033",), ("28",))
CHIR_AMBU = _mco("Chirurgie ambulatoire", "16", ("025", "033", "103"), ("09",), ages=(1, 120), lits=None,
                 places=(10, 30), ouverture="01")
MATERNITE = _mco("Maternité", "16", ("100", "282"), ("28",), ages=(12, 55), lits=(15, 40))
NEONATOLOGIE = _mco("Néonatologie", "16", ("094",), ("28",), ages=(0, 0), lits=(6, 15))
PEDIATRIE = _mco("Pédiatrie", "16", ("088",), ("28",), ages=(0, 17))
ONCOLOGIE = _mco("Oncologie médicale – hôpital de jour", "11", ("102", "164"), ("29",), lits=None,
                 places=(10, 25), ouverture="01")
HEMODIALYSE = _mco("Hémodialyse chronique", "16", ("059", "095"), ("20",), lits=None, places=(10, 30))
SOINS_PALLIATIFS = _mco("Unité de soins palliatifs", "16", ("170", "076"), ("28",), lits=(8, 15))
CONSULT_MEMOIRE = _mco("Consultation mémoire", "69", ("452", "050"), ("32",), ages=(50, 120), lits=None,
                       specialisations=("28",), ouverture="01", horaires=True)
HAD = _mco("Hospitalisation à domicile", None, ("083", "170", "287"), ("31",), ages=TOUS, lits=None,
           places=(30, 120), modalites=("05",))

SMR_POLY = ModeleUO("SMR polyvalent", "100", "02", "SMR", activites=("172",), modes=("28",), publics=("07",),
                    ages=ADULTES, lits=(20, 50))
SMR_GERIATRIE = ModeleUO("SMR gériatrique", "101", "02", "SMR", activites=("241", "050"), modes=("28",),
                         publics=PA, ages=(70, 120), lits=(20, 40))
SMR_LOCOMOTEUR = ModeleUO("SMR locomoteur", "102", "02", "SMR", activites=("233", "291"), modes=("28", "29"),
                          publics=("07",), ages=ADULTES, lits=(20, 60), probabilite=0.6)
SMR_NEURO = ModeleUO("SMR système nerveux", "103", "02", "SMR", activites=("234", "292"), modes=("28",),
                     publics=("07",), ages=ADULTES, lits=(15, 40), probabilite=0.4)
SMR_CARDIO = ModeleUO("SMR cardio-vasculaire", "104", "02", "SMR", activites=("235",), modes=("28", "29"),
                      publics=("07",), ages=ADULTES, lits=(15, 30), probabilite=0.3)
SMR_PEDIATRIQUE = ModeleUO("SMR pédiatrique", "109", "02", "SMR", activites=("172", "522"), modes=("28",),
                           publics=("07",), ages=(0, 17), lits=(10, 30), probabilite=0.15)
USLD = ModeleUO("Unité de soins de longue durée", None, "01", "SLD", activites=("333",), modes=("28",),
                publics=PA, ages=AGEES, lits=(30, 90))

PSY_ADULTE_HC = ModeleUO("Psychiatrie adulte – hospitalisation complète", "16", "03", "PSY", activites=("229",),
                         modes=("28",), publics=("07",), ages=(18, 120), lits=(20, 30),
                         specialisations=("07", "08"))
PSY_USIP = ModeleUO("Unité de soins intensifs psychiatriques", "15", "03", "PSY", activites=("229", "355"),
                    modes=("28",), publics=("07",), ages=(18, 65), lits=(8, 12), probabilite=0.5)
PEDOPSY_HC = ModeleUO("Pédopsychiatrie – hospitalisation", "16", "03", "PSY", activites=("227",), modes=("28",),
                      publics=("07",), ages=(3, 15), lits=(8, 15), specialisations=("02", "03"))
PSY_ADO = ModeleUO("Unité pour adolescents", "16", "03", "SMA", activites=("228",), modes=("28", "29"),
                   publics=("07",), ages=(12, 18), lits=(8, 15), specialisations=("01", "08"))
URGENCES_PSY = ModeleUO("Urgences et accueil psychiatriques", "20", "03", "PSY", activites=("158",),
                        modes=("33",), publics=("07",), ages=(16, 120), modalites=("06",), probabilite=0.6)
HDJ_PSY = ModeleUO("Hôpital de jour de psychiatrie adulte", "11", "03", "PSY", activites=("229", "231"),
                   modes=("29",), publics=("07",), ages=(18, 120), places=(10, 25), ouverture="01", horaires=True)
CMP_ADULTE = ModeleUO("CMP adultes", "10", "03", "PSY", activites=("229", "289"), modes=("32",),
                      publics=("07",), ages=(18, 120), modalites=("03",), ouverture="01", horaires=True)
CMP_ENFANT = ModeleUO("CMP enfants et adolescents", "10", "03", "PSY", activites=("227", "289"), modes=("32",),
                      publics=("07",), ages=(0, 17), modalites=("03",), ouverture="01", horaires=True,
                      probabilite=0.5)
CATTP = ModeleUO("CATTP", "05", "03", "PSY", activites=("229", "231"), modes=("42",), publics=("07",),
                 ages=(18, 120), places=(10, 20), ouverture="01", horaires=True)

MSP = ModeleUO("Maison de santé pluriprofessionnelle", "99", "05", "VIL", activites=("437", "339", "336"),
               modes=("32",), publics=("07",), ages=TOUS, modalites=("03", "05", "04"), ouverture="02",
               horaires=True)
CENTRE_SANTE = ModeleUO("Centre de santé – consultations", "69", "05", "VIL", activites=("437", "101", "161"),
                        modes=("32",), publics=("07",), ages=TOUS, modalites=("03",), ouverture="02", horaires=True)
CPTS = ModeleUO("Communauté professionnelle territoriale de santé", None, "05", "VIL",
                activites=("335", "475", "471"), modes=("58",), publics=("07",), ages=TOUS, modalites=("04",),
                ouverture="02")
SNP = ModeleUO("Soins non programmés", "92", "05", "VIL", activites=("475", "437"), modes=("56",),
               publics=("07",), ages=TOUS, modalites=("06",), ouverture="02", probabilite=0.5, horaires=True)


def _p(modele: ModeleUO, probabilite: float) -> ModeleUO:
    return replace(modele, probabilite=probabilite)


PROFILS = [
    # personnes âgées
    Profil("500", "EHPAD", 700, (HEBERGEMENT_PERMANENT, HEBERGEMENT_TEMPORAIRE, ACCUEIL_DE_JOUR, PASA, UHR, UVP),
           "association", noms="ehpad", aide_sociale=True),
    Profil("202", "RESIDENCE AUTONOMIE", 200, (RESIDENCE_AUTONOMIE,), "association", noms="residence"),
    Profil("354", "SSIAD", 110, (SSIAD, SSIAD_PH, ESA), "association", noms="commune", rayon_territoire_km=14),
    Profil("460", "SAAD", 420, (SAAD_PA, SAAD_PH), "association", noms="saad", rayon_territoire_km=18),
    Profil("209", "SPASAD", 20, (SSIAD, SAAD_PA), "association", noms="commune", rayon_territoire_km=15),
    Profil("207", "ACCUEIL DE JOUR", 20, (CENTRE_DE_JOUR_PA,), "association", noms="residence"),
    # personnes handicapées
    Profil("183", "IME", 95, (IME_EXTERNAT, IME_INTERNAT, IME_AUTISME), "association", noms="ph"),
    Profil("246", "ESAT", 110, (ESAT,), "association", noms="ph"),
    Profil("255", "MAS", 40, (MAS, MAS_JOUR), "association", noms="ph", aide_sociale=True),
    Profil("437", "FAM", 60, (FAM,), "association", noms="ph", aide_sociale=True),
    Profil("382", "FOYER DE VIE", 140, (FOYER_DE_VIE,), "association", noms="ph", aide_sociale=True),
    Profil("252", "FOYER D HEBERGEMENT", 90, (FOYER_HEBERGEMENT,), "association", noms="ph", aide_sociale=True),
    Profil("182", "SESSAD", 100, (SESSAD,), "association", noms="commune", rayon_territoire_km=25),
    Profil("190", "CAMSP", 14, (CAMSP,), "association", noms="commune", grande_ville=True),
    Profil("189", "CMPP", 25, (CMPP,), "association", noms="commune", grande_ville=True),
    Profil("186", "ITEP", 20, (ITEP,), "association", noms="ph"),
    Profil("446", "SAVS", 70, (SAVS,), "association", noms="commune", rayon_territoire_km=20),
    Profil("445", "SAMSAH", 40, (SAMSAH,), "association", noms="commune", rayon_territoire_km=25),
    Profil("188", "EEAP", 15, (EEAP,), "association", noms="ph"),
    Profil("197", "CSAPA", 30, (CSAPA,), "association", noms="commune", grande_ville=True),
    Profil("180", "LHSS", 10, (LHSS,), "association", noms="commune", grande_ville=True),
    Profil("606", "DAC", 5, (DAC,), "association", noms="departement", grande_ville=True),
    # santé
    Profil("101", "CHU", 2, (URGENCES, URGENCES_PED, SMUR, REA_ADULTE, REA_MEDICALE, REA_CHIR, REA_PED, REA_NEONAT,
                             BRULES, USIC, USINV, USI_POLY, USC, USC_PED, CARDIOLOGIE, NEUROLOGIE, PNEUMOLOGIE,
                             MEDECINE_POLY, GERIATRIE_AIGUE, CHIR_ORTHO, CHIR_VISCERALE, CHIR_AMBU, MATERNITE,
                             NEONATOLOGIE, PEDIATRIE, ONCOLOGIE, HEMODIALYSE, SOINS_PALLIATIFS, CONSULT_MEMOIRE,
                             SMR_POLY, USLD),
           "public", noms="chu", grande_ville=True, statut_juridique="15"),
    Profil("355", "CH", 35, (_p(URGENCES, .85), _p(SMUR, .6), _p(REA_ADULTE, .45), _p(USC, .6), _p(USIC, .35),
                             _p(USINV, .3), MEDECINE_POLY, _p(CARDIOLOGIE, .6), GERIATRIE_AIGUE, _p(CHIR_ORTHO, .6),
                             _p(CHIR_VISCERALE, .6), _p(MATERNITE, .5), _p(PEDIATRIE, .4), _p(HEMODIALYSE, .3),
                             _p(SOINS_PALLIATIFS, .3), _p(CONSULT_MEMOIRE, .6), _p(SMR_POLY, .7),
                             _p(SMR_GERIATRIE, .5), _p(USLD, .5)),
           "public", noms="ch", grande_ville=True, statut_juridique="13"),
    Profil("106", "CH", 20, (MEDECINE_POLY, SMR_GERIATRIE, USLD, CONSULT_MEMOIRE), "public", noms="ch",
           statut_juridique="13"),
    Profil("365", "CLINIQUE", 25, (CHIR_ORTHO, CHIR_VISCERALE, CHIR_AMBU, _p(URGENCES, .3), _p(USC, .3),
                                   _p(MATERNITE, .3), _p(MEDECINE_POLY, .5), _p(ONCOLOGIE, .3)),
           "groupe", noms="clinique", grande_ville=True, statut_juridique="73"),
    Profil("109", "SMR", 55, (SMR_POLY, SMR_GERIATRIE, SMR_LOCOMOTEUR, SMR_NEURO, SMR_CARDIO, SMR_PEDIATRIQUE),
           "groupe", noms="smr", statut_juridique="61"),
    Profil("292", "CHS", 6, (PSY_ADULTE_HC, PSY_USIP, PEDOPSY_HC, PSY_ADO, URGENCES_PSY, HDJ_PSY),
           "public", noms="chs", grande_ville=True, statut_juridique="11"),
    Profil("156", "CMP", 80, (CMP_ADULTE, CMP_ENFANT), "psy", noms="commune"),
    Profil("425", "CATTP", 30, (CATTP,), "psy", noms="commune"),
    Profil("127", "HAD", 12, (HAD,), "association", noms="had", grande_ville=True, rayon_territoire_km=30),
    Profil("141", "CENTRE DE DIALYSE", 15, (HEMODIALYSE,), "association", noms="commune", grande_ville=True),
    Profil("362", "USLD", 10, (USLD,), "public", noms="commune", statut_juridique="13"),
    Profil("604", "CPTS", 45, (CPTS, SNP), "association", noms="cpts", rayon_territoire_km=15),
    Profil("603", "MSP", 250, (MSP,), "liberal", noms="commune", statut_juridique="80"),
    Profil("124", "CENTRE DE SANTE", 40, (CENTRE_SANTE,), "association", noms="commune", grande_ville=True),
]

PRENOMS = ["Marie", "Jean", "Nathalie", "Pierre", "Isabelle", "Philippe", "Sophie", "Michel", "Catherine",
           "Laurent", "Anne", "Éric", "Claire", "Olivier", "Hélène", "Thomas", "Julie", "Nicolas", "Camille",
           "François"]
NOMS_FAMILLE = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
                "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
                "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Guérin", "Boucher", "Lemoine",
                "Gauthier", "Chevalier", "Perrin"]
