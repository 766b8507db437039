"""The units (UO) proposed for a new EG, from its FINESS category (J55).

A proposal is only a start ("pré-peuplée, à vérifier"): the structure then
completes or corrects it. Each entry: (name, type d'UO J34, champ J20, discipline).
"""

MS, MCO, SSR, PSY, AMB = "04", "01", "02", "03", "05"


def _uo(nom, type_uo, champ, discipline):
    return {"nom": nom, "type_uo": type_uo, "champ": champ, "discipline": discipline}


PROPOSITIONS: dict[str, list[dict]] = {
    # Personnes âgées
    "500": [_uo("Hébergement permanent", "21", MS, "MSS")],
    "501": [_uo("Hébergement permanent personnes âgées autonomes", "22", MS, "MSS")],
    "502": [_uo("Hébergement permanent personnes âgées autonomes", "22", MS, "MSS")],
    "202": [_uo("Résidence autonomie", "22", MS, "MSS")],
    "207": [_uo("Accueil de jour", "21", MS, "MSS")],
    "354": [_uo("Soins infirmiers à domicile", "28", MS, "MSS")],
    "460": [_uo("Aide et accompagnement à domicile", "30", MS, "MSS")],
    "209": [_uo("Soins infirmiers à domicile", "28", MS, "MSS"),
            _uo("Aide et accompagnement à domicile", "30", MS, "MSS")],
    # Personnes handicapées
    "255": [_uo("Maison d'accueil spécialisée", "40", MS, "MSS")],
    "437": [_uo("Foyer d'accueil médicalisé", "39", MS, "MSS")],
    "448": [_uo("Etablissement d'accueil médicalisé", "39", MS, "MSS")],
    "449": [_uo("Etablissement d'accueil non médicalisé", "41", MS, "MSS")],
    "382": [_uo("Foyer de vie", "97", MS, "MSS")],
    "252": [_uo("Foyer d'hébergement", "96", MS, "MSS")],
    "246": [_uo("Etablissement et service d'aide par le travail", "43", MS, "MSS")],
    "183": [_uo("Institut médico-éducatif", "48", MS, "MSS")],
    "192": [_uo("Institut d'éducation motrice", "49", MS, "MSS")],
    "186": [_uo("Institut thérapeutique éducatif et pédagogique", "50", MS, "MSS")],
    "188": [_uo("Etablissement pour enfants polyhandicapés", "51", MS, "MSS")],
    "194": [_uo("Institut pour déficients visuels", "52", MS, "MSS")],
    "195": [_uo("Institut pour déficients auditifs", "53", MS, "MSS")],
    "196": [_uo("Institut d'éducation sensorielle", "54", MS, "MSS")],
    "182": [_uo("Service d'éducation spéciale et de soins à domicile", "57", MS, "MSS")],
    "190": [_uo("Centre d'action médico-sociale précoce", "61", MS, "MSS")],
    "189": [_uo("Centre médico-psycho-pédagogique", "62", MS, "MSS")],
    "221": [_uo("Bureau d'aide psychologique universitaire", "64", MS, "MSS")],
    "402": [_uo("Jardin d'enfants spécialisé", "63", MS, "MSS")],
    "446": [_uo("Service d'accompagnement à la vie sociale", "31", MS, "MSS")],
    "445": [_uo("Service d'accompagnement médico-social pour adultes handicapés", "32", MS, "MSS")],
    # Addictions, précarité
    "197": [_uo("Centre de soins, d'accompagnement et de prévention en addictologie", "80", MS, "MSS")],
    "178": [_uo("Accueil et réduction des risques pour usagers de drogues", "81", MS, "MSS")],
    "180": [_uo("Lits halte soins santé", "93", MS, "MSS")],
    "165": [_uo("Appartements de coordination thérapeutique", "94", MS, "MSS")],
    "213": [_uo("Lits d'accueil médicalisés", "95", MS, "MSS")],
    # Psychiatrie
    "292": [_uo("Unité d'hospitalisation psychiatrique", "16", PSY, "PSY")],
    "161": [_uo("Unité d'hospitalisation psychiatrique", "16", PSY, "PSY")],
    "156": [_uo("Centre médico-psychologique", "10", PSY, "PSY")],
    "425": [_uo("Centre d'accueil thérapeutique à temps partiel", "05", PSY, "PSY")],
    "412": [_uo("Appartement thérapeutique", "01", PSY, "PSY")],
    "366": [_uo("Atelier thérapeutique", "02", PSY, "PSY")],
    "430": [_uo("Centre de postcure", "07", PSY, "PSY")],
    "444": [_uo("Centre de crise", "06", PSY, "PSY")],
    "415": [_uo("Service médico-psychologique régional", "14", PSY, "PSY")],
    # Sanitaire
    "101": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "106": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "355": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "128": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "129": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "365": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "122": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "131": [_uo("Unité d'hospitalisation", "16", MCO, "MCO")],
    "127": [_uo("Hospitalisation à domicile", None, MCO, "MCO")],
    "362": [_uo("Soins de longue durée", "16", MCO, "SLD")],
    "109": [_uo("Soins médicaux et de réadaptation polyvalents", "100", SSR, "SMR")],
    "141": [_uo("Dialyse", None, MCO, "MCO")],
    # Ville et coordination
    "603": [_uo("Maison de santé pluriprofessionnelle", "99", AMB, "VIL")],
    "124": [_uo("Consultations du centre de santé", "69", AMB, "VIL")],
    "439": [_uo("Consultations du centre de santé", "69", AMB, "VIL")],
    "606": [_uo("Dispositif d'appui à la coordination", "72", AMB, "VIL")],
}


def propositions(categorie: str) -> list[dict]:
    return PROPOSITIONS.get(categorie, [])
