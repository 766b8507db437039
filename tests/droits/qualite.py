from tests.droits import Url, gestionnaire_seulement


def _campagne(region):
    from qualite.campagnes import lancer_campagne

    return lancer_campagne(region.gestionnaire, "Vérification 49", "departement", "49")


def _fiche_ehpad(region):
    campagne = _campagne(region)
    return {"pk": campagne.pk, "fiche": campagne.fiches.get(structure=region.ehpad).pk}


def _lien_du_referent(region):
    from qualite.campagnes import jeton

    return {"jeton": jeton(_campagne(region), region.referent)}


ATTENDUS = [
    gestionnaire_seulement("qualite:tableau"),
    gestionnaire_seulement("qualite:incompletes"),
    gestionnaire_seulement("qualite:incompletes_csv"),
    gestionnaire_seulement("qualite:non_verifiees"),
    gestionnaire_seulement("qualite:non_verifiees_csv"),
    gestionnaire_seulement("qualite:exigences"),
    gestionnaire_seulement("qualite:exigence", kwargs=lambda region: {"code": "EX2"}),
    gestionnaire_seulement("qualite:exigence_csv", kwargs=lambda region: {"code": "CO4"}),
    # Campaigns: launched, followed and closed by the gestionnaire only...
    gestionnaire_seulement("qualite:campagnes"),
    gestionnaire_seulement("qualite:campagnes", methode="post", data=lambda region: {
        "nom": "Campagne", "perimetre": "departement", "departement": "49", "jours_relance": 15,
        "jours_escalade": 30}),
    gestionnaire_seulement("qualite:campagne", kwargs=lambda region: {"pk": _campagne(region).pk}),
    gestionnaire_seulement("qualite:campagne_clore", ok=302, methode="post",
                           kwargs=lambda region: {"pk": _campagne(region).pk}),
    # ...answered by who may verify one of its fiches, each on their own fiches.
    Url("qualite:campagne_fiches", 302, 403, 200, 200, 200, 200, kwargs=lambda region: {"pk": _campagne(region).pk}),
    Url("qualite:campagne_confirmer", 302, 403, 302, 403, 302, 302, methode="post", kwargs=_fiche_ehpad),
    # The signed link opens for its addressee only.
    Url("qualite:campagne_lien", 302, 403, 302, 403, 403, 403, kwargs=_lien_du_referent),
]
