"""In Chromium: an access request, its acceptance, the e-mail link, the password set, the first
login with the CGU, then the new référent holds its own structure and is refused on another."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from repertoire import access
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db(transaction=True)

MOT_DE_PASSE_CHOISI = "Tilleuls-Angers-2026!"


def test_de_la_demande_d_acces_au_premier_travail_du_referent(live_server, page, connecter, region, settings):
    settings.ROR_CGU_VERSION = "2026-1"
    type(region.gestionnaire).objects.filter(pk=region.gestionnaire.pk).update(cgu_version="2026-1")
    alertes_csp = []
    page.on("console", lambda m: alertes_csp.append(m.text) if "Content Security Policy" in m.text else None)

    # 1. A stranger asks for access from the login page.
    page.goto(f"{live_server.url}/connexion/")
    page.click("text=Faire une demande d'accès")
    page.fill("#id_prenom", "Anne")
    page.fill("#id_nom", "Martin")
    page.fill("#id_email", "anne.martin@ehpad-tilleuls.fr")
    page.fill("#id_fonction", "Cadre de santé")
    page.fill("#id_structure_recherche", "tilleuls")
    page.select_option("#id_role", "referent")
    page.fill("#id_justification", "Je tiens la fiche de l'EHPAD à jour.")
    page.click("button:has-text('Envoyer ma demande')")
    # Two structures match "tilleuls": she picks hers.
    page.check("text=EHPAD LES TILLEULS")
    page.click("button:has-text('Envoyer ma demande')")
    assert "Votre demande d'accès est enregistrée" in page.inner_text("main")

    # 2. The gestionnaire accepts it.
    connecter(region.gestionnaire)
    page.click("text=Gestion des comptes")
    page.click("#demandes-en-attente a")
    assert "EHPAD LES TILLEULS" in page.inner_text("main")
    page.click("button:has-text('Accepter la demande')")
    assert "Demande acceptée" in page.inner_text("main")
    page.click("button:has-text('Se déconnecter')")

    # 3. The e-mail link: she chooses her password (the rules are shown).
    assert len(mail.outbox) == 1
    lien = re.search(r"(http://\S+/compte/nouveau-mot-de-passe/\S+)", mail.outbox[0].body).group(1)
    page.goto(lien.replace("http://testserver", live_server.url))
    assert "12 caractères" in page.inner_text("main")
    page.fill("#id_new_password1", MOT_DE_PASSE_CHOISI)
    page.fill("#id_new_password2", MOT_DE_PASSE_CHOISI)
    page.click("button:has-text('Enregistrer mon mot de passe')")
    assert "Mot de passe enregistré" in page.inner_text("main")

    # 4. First login: the CGU come first.
    page.goto(f"{live_server.url}/connexion/")
    page.fill("#id_username", "anne.martin@ehpad-tilleuls.fr")
    page.fill("#id_password", MOT_DE_PASSE_CHOISI)
    page.click("button[type=submit]")
    assert "Conditions générales d'utilisation" in page.inner_text("h1")
    page.check("#id_accepte", force=True)
    page.click("button:has-text('Accepter et continuer')")
    page.click("text=Mon compte")
    contenu = page.inner_text("main")
    assert "EHPAD LES TILLEULS" in contenu and "Référent structure" in contenu and "CH CHOLET" not in contenu

    # 5. Her rights hold on her structure (and below), not elsewhere.
    anne = get_user_model().objects.get(email="anne.martin@ehpad-tilleuls.fr")
    assert anne.cgu_version == "2026-1"
    assert access.peut(anne, access.MODIFIER, region.uo_hp)
    assert not access.peut(anne, access.MODIFIER, region.uo_rea)
    reponse = page.goto(f"{live_server.url}/compte/structures/{region.ch.pk}/referents/")
    assert reponse.status == 403

    # The DSFR's JavaScript runs under the Content-Security-Policy, which nothing on these pages violated.
    page.goto(f"{live_server.url}/compte/")
    page.wait_for_function("document.documentElement.getAttribute('data-fr-js') === 'true'")
    assert not alertes_csp, alertes_csp


@pytest.mark.parametrize("largeur", [1366, 390])
def test_changer_son_adresse_depuis_mon_compte(live_server, page, connecter, region, largeur):
    """From Mon compte, by typing and clicking: the change waits for the link sent to the new address,
    the pages say so, and following the link (then confirming) makes it the account's address."""
    page.set_viewport_size({"width": largeur, "height": 844})
    ancienne = region.referent.email
    connecter(region.referent)
    page.goto(f"{live_server.url}/compte/")
    page.get_by_role("link", name="Changer mon adresse électronique").click()
    page.get_by_label("Nouvelle adresse électronique").fill("romain.nouveau@exemple.fr")
    page.get_by_label("Mot de passe actuel").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Envoyer le lien de confirmation").click()
    bandeau = page.locator("#adresse-en-attente")
    assert "romain.nouveau@exemple.fr deviendra votre adresse" in bandeau.inner_text()
    assert ancienne in page.inner_text("main")  # unchanged until the link is followed
    assert get_user_model().objects.get(pk=region.referent.pk).email == ancienne

    lien = re.search(r"(http://\S+/compte/adresse/confirmer/\S+)",
                     next(m for m in mail.outbox if m.to == ["romain.nouveau@exemple.fr"]).body).group(1)
    page.goto(lien.replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.goto(f"{live_server.url}/compte/")
    assert "romain.nouveau@exemple.fr" in page.inner_text("main")
    assert page.locator("#adresse-en-attente").count() == 0
    assert get_user_model().objects.get(pk=region.referent.pk).email == "romain.nouveau@exemple.fr"
