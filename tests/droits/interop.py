from tests.droits import Url, gestionnaire_seulement, lecture_connectee, lecture_publique

# The FHIR API answers to consumer tokens, not to portal sessions: 401 without a token, whoever is logged in.
def fhir_sans_jeton(nom, **autres):
    return Url(nom, 401, 401, 401, 401, 401, 401, **autres)


ATTENDUS = [
    lecture_publique("interop:fhir_metadata"),
    fhir_sans_jeton("interop:fhir_recherche", kwargs=lambda r: {"type_ressource": "HealthcareService"}),
    fhir_sans_jeton("interop:fhir_lecture", kwargs=lambda r: {"type_ressource": "Organization", "pk": str(r.ehpad.pk)}),
    fhir_sans_jeton("interop:fhir_export"),
    fhir_sans_jeton("interop:fhir_export_etat", kwargs=lambda r: {"pk": "00000000-0000-0000-0000-000000000001"}),
    fhir_sans_jeton("interop:fhir_export_fichier",
                    kwargs=lambda r: {"pk": "00000000-0000-0000-0000-000000000001", "nom": "Location.ndjson"}),
    lecture_publique("interop:opendata"),
    lecture_publique("interop:opendata_csv", kwargs=lambda r: _opendata_produite()),
    lecture_publique("interop:opendata_json", kwargs=lambda r: _opendata_produite()),
    gestionnaire_seulement("interop:jetons"),
    gestionnaire_seulement("interop:jetons", methode="post", data=lambda r: {"consommateur": "Santé.fr"}),
    gestionnaire_seulement("interop:modifier_jeton", ok=302, methode="post", kwargs=lambda r: {"pk": _jeton(r).pk},
                           data=lambda r: {"profil_acces": "1"}),
    gestionnaire_seulement("interop:revoquer_jeton", ok=302, methode="post", kwargs=lambda r: {"pk": _jeton(r).pk}),
    gestionnaire_seulement("interop:synchronisation"),
    gestionnaire_seulement("interop:lancer_synchronisation", ok=302, methode="post"),
    lecture_connectee("interop:etat_eg", kwargs=lambda r: {"pk": r.ehpad.pk}),
    gestionnaire_seulement("interop:resynchroniser_eg", ok=302, methode="post", kwargs=lambda r: {"pk": r.ehpad.pk}),
]


def _jeton(region):
    from repertoire.models import PorteeJeton
    from repertoire.services import jetons_api

    return jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Consommateur de test")[0]


def _opendata_produite() -> dict:
    """The files the nightly task writes (without them: 503 for everyone, see test_interop_pages)."""
    from interop import opendata

    opendata.produire()
    return {}
