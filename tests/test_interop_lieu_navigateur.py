"""The place's function (J198), its housing (J32) and the family of the activities (J51), entered in
Chromium in the unit's encadrés as a référent does, then served by the FHIR API as the guide's
RORLocation (type, ror-location-residential-capacity) and RORHealthcareService
(specialty[operationalActivityFamily]) say; checked by interop.conformite."""

import pytest
from playwright.sync_api import expect

from interop.conformite import Verificateur
from interop.fhir import EXT_HABITATION, locations_queryset, ressources, uo_queryset
from repertoire.models import Structure
from tests.factories import concept
from tests.test_repertoire_navigateur import ouvrir_encadre

pytestmark = pytest.mark.django_db(transaction=True)

R343 = "https://mos.esante.gouv.fr/NOS/TRE_R343-FonctionLieu/FHIR/TRE-R343-FonctionLieu"
R242 = "https://mos.esante.gouv.fr/NOS/TRE_R242-TypeHabitation/FHIR/TRE-R242-TypeHabitation"
R266 = ("https://mos.esante.gouv.fr/NOS/TRE_R266-FamilleActiviteOperationnelleHorsSerafin/FHIR/"
        "TRE-R266-FamilleActiviteOperationnelleHorsSerafin")


@pytest.mark.parametrize("ecran", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                         ids=["bureau", "telephone"])
def test_referent_saisit_lieu_habitation_et_famille_puis_l_api_fhir_les_sert(live_server, page, connecter, region,
                                                                            ecran):
    page.set_default_timeout(15000)
    page.set_viewport_size(ecran)
    uo = region.uo_hp
    uo.modes_prise_en_charge.add(concept("R213", "46"))  # an offer (activity × J19 mode) to serve the family
    connecter(region.referent)
    page.goto(f"{live_server.url}/repertoire/{uo.pk}/")

    ouvrir_encadre(page, "capacite")
    encadre = page.locator("#encadre-capacite")
    encadre.get_by_label("Fonction du lieu").select_option(label="Hébergement")
    encadre.get_by_label("Type d'habitation").select_option(label="Chambre simple")
    encadre.get_by_label("Nombre d'habitations").fill("42")
    encadre.locator("button[type=submit]").click()
    expect(encadre).to_contain_text("Enregistré et publié")
    expect(encadre).to_contain_text("Chambre simple")
    expect(encadre).to_contain_text("42")
    expect(encadre).to_contain_text("Hébergement")

    ouvrir_encadre(page, "activites")
    page.locator("#encadre-activites").get_by_label("Famille d'activités opérationnelles").select_option(
        label="Hébergement et logement")
    page.locator("#encadre-activites button[type=submit]").click()
    expect(page.locator("#encadre-activites")).to_contain_text("Enregistré et publié")
    expect(page.locator("#encadre-activites")).to_contain_text("Hébergement et logement")

    # A number of dwellings without its type (the guide's residentialType is 1..1): refused in French, unchanged.
    page.reload()
    ouvrir_encadre(page, "capacite")
    encadre.get_by_label("Type d'habitation").select_option(label="— Non renseigné —")
    encadre.get_by_label("Nombre d'habitations").fill("50")
    encadre.locator("button[type=submit]").click()
    expect(encadre).to_contain_text("Indiquez le type d'habitation du nombre d'habitations saisi.")

    uo = Structure.objects.get(pk=uo.pk)
    assert (uo.fonction_lieu.code, uo.type_habitation.code, uo.nombre_habitations) == ("001", "02", 42)
    assert uo.famille_activite.code == "04"

    verificateur = Verificateur()
    [lieu] = ressources("Location", list(locations_queryset().filter(pk=uo.pk)))
    assert lieu["type"] == [{"coding": [{"system": R343, "code": "001", "display": "Hébergement"}]}]
    [habitation] = [e for e in lieu["extension"] if e["url"] == EXT_HABITATION]
    assert habitation["extension"] == [
        {"url": "residentialType", "valueCodeableConcept": {"coding": [{"system": R242, "code": "02",
                                                                        "display": "Chambre simple"}]}},
        {"url": "residentialNumber", "valueInteger": 42}]
    [offre] = ressources("HealthcareService", list(uo_queryset().filter(pk=uo.pk)))
    assert offre["specialty"][1] == {"coding": [{"system": R266, "code": "04", "display": "Hébergement et logement"}]}
    assert verificateur.verifier(lieu) == [] and verificateur.verifier(offre) == []
