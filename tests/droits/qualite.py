from tests.droits import gestionnaire_seulement

ATTENDUS = [
    gestionnaire_seulement("qualite:tableau"),
    gestionnaire_seulement("qualite:incompletes"),
    gestionnaire_seulement("qualite:incompletes_csv"),
    gestionnaire_seulement("qualite:non_verifiees"),
    gestionnaire_seulement("qualite:non_verifiees_csv"),
]
