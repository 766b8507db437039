"""The dossier collaboratif in real Chromium, with three accounts: the référent fills and sends,
the directeur validates, the gestionnaire publishes; the live Répertoire shows the result."""

import pytest
from django.urls import reverse

from dossiers.models import DossierCollaboratif, EtatDossier
from repertoire.models import Structure
from tests.factories import concept

pytestmark = pytest.mark.django_db(transaction=True)


def changer_de_compte(page, connecter, user):
    page.context.clear_cookies()
    connecter(user)


def test_referent_directeur_gestionnaire_dans_chromium(live_server, page, connecter, region):
    page.set_default_timeout(15000)
    # -- the référent opens a dossier on its EHPAD
    connecter(region.referent)
    page.goto(f"{live_server.url}/dossiers/ouvrir/{region.ehpad.pk}/")
    page.fill("#id_titre", "Restructuration 2026")
    page.click("#ouvrir-dossier")
    page.wait_for_url("**/dossiers/*/")
    dossier = DossierCollaboratif.objects.get()
    assert page.locator("h1").inner_text().startswith(f"Dossier collaboratif n° {dossier.pk}")

    # renames the EG and finalises its fiche
    page.click('tr[data-nom="EHPAD LES TILLEULS"] a')
    page.fill("#id_nom", "EHPAD LES TILLEULS ANGERS")
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert "Finalisée" in page.locator('tr[data-nom="EHPAD LES TILLEULS ANGERS"]').text_content().strip()

    # creates a UO: discipline first, then the type d'UO (the list follows the discipline)
    page.click("#creer-unites")
    page.select_option("#id_discipline", "MSS")
    cmp = page.locator(f'#id_type_uo option[value="{concept("J34", "10").pk}"]')  # psychiatry: hidden
    assert cmp.evaluate("o => o.hidden") is True
    page.select_option("#id_type_uo", str(concept("J34", "21").pk))
    page.fill("#id_nom", "Hebergement temporaire personnes agees")
    page.click("#creer")
    page.wait_for_url("**/fiches/*/")
    page.fill("#id_age_min", "60")
    page.fill("#id_age_max", "120")
    page.select_option("#id_activites", [str(concept("J17", "293").pk)])
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert "Finalisée (nouvelle fiche)" in page.locator(
        'tr[data-nom="Hebergement temporaire personnes agees"]').text_content().strip()

    # deletes another UO, then sends
    page.click('button[data-supprimer="Accueil de jour"]')
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert "Supprimée" in page.locator('tr[data-nom="Accueil de jour"]').text_content().strip()
    assert Structure.objects.get(pk=region.uo_aj.pk).statut_fiche == "supprimee"  # pictogram for everyone
    page.click("#envoyer")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert page.locator(".ror-etat-dossier").first.text_content().strip() == "En validation directeur"
    assert page.locator("#creer-unites").count() == 0  # read-only for the référent now

    # -- the directeur finds it in "À traiter", compares, validates
    changer_de_compte(page, connecter, region.directeur)
    page.goto(f"{live_server.url}/dossiers/")
    page.click(f'#a-traiter a[href="/dossiers/{dossier.pk}/"]')
    page.click("text=Comparer avec le Répertoire")
    assert "EHPAD LES TILLEULS ANGERS" in page.locator(".ror-apres").first.text_content().strip()
    page.go_back()
    page.fill("#commentaire-validation", "Conforme à l'autorisation")
    page.click("#valider")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert page.locator(".ror-etat-dossier").first.text_content().strip() == "En validation gestionnaire"

    # -- the gestionnaire publishes
    changer_de_compte(page, connecter, region.gestionnaire)
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/")
    page.click("#aller-publier")
    page.click("#publier")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert page.locator(".ror-etat-dossier").first.text_content().strip() == "Publié"
    chronologie = page.locator("#chronologie").text_content().strip()
    assert "Validation du directeur" in chronologie and "Conforme à l'autorisation" in chronologie

    # -- the live Répertoire shows the new state, and the history names the dossier
    ehpad = Structure.objects.get(pk=region.ehpad.pk)
    assert ehpad.nom == "EHPAD LES TILLEULS ANGERS" and ehpad.statut_fiche == "standard"
    assert not Structure.objects.filter(pk=region.uo_aj.pk).exists()
    creee = Structure.objects.get(nom="Hebergement temporaire personnes agees")
    assert creee.parent_id == ehpad.pk
    assert ehpad.history.first().history_change_reason == f"Dossier collaboratif n° {dossier.pk}"
    assert DossierCollaboratif.objects.get().etat == EtatDossier.PUBLIE
    page.goto(live_server.url + reverse("repertoire:fiche", args=[ehpad.pk]))
    assert "EHPAD LES TILLEULS ANGERS" in page.content()
    assert "Hebergement temporaire personnes agees" in page.content()
