"""The Répertoire in real Chromium: edit in place, history, rights, concurrent edits, tree, map."""

import re

import pytest
from playwright.sync_api import expect

from repertoire.models import Structure
from tests.factories import MOT_DE_PASSE, concept

pytestmark = pytest.mark.django_db(transaction=True)


def fiche(live_server, structure):
    return f"{live_server.url}/repertoire/{structure.pk}/"


def connecter_dans(page, live_server, user):
    page.goto(f"{live_server.url}/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", MOT_DE_PASSE)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def ouvrir_encadre(page, cle):
    page.locator(f"#encadre-{cle} [data-modifier]").click()
    expect(page.locator(f"#encadre-{cle} form[data-encadre-form]")).to_be_visible()


def test_referent_change_telephone_et_activites_fiche_et_historique(live_server, page, connecter, region):
    refus_csp = []
    page.on("console", lambda m: refus_csp.append(m.text) if "Content Security Policy" in m.text else None)
    connecter(region.referent)
    page.goto(fiche(live_server, region.uo_hp))
    ouvrir_encadre(page, "contacts")
    page.fill("#encadre-contacts input[name=telephone]", "02 41 55 66 77")
    page.click("#encadre-contacts button[type=submit]")
    expect(page.locator("#encadre-contacts")).to_contain_text("Enregistré et publié")
    expect(page.locator("#encadre-contacts")).to_contain_text("02 41 55 66 77")

    # a coded list, through the searchable multi-select (labels only)
    ajoutee = concept("J17", "294")
    ouvrir_encadre(page, "activites")
    page.fill("#encadre-activites .ror-ms__recherche", ajoutee.libelle[:12])
    page.locator("#encadre-activites .ror-ms__option", has_text=ajoutee.libelle).first.click()
    expect(page.locator("#encadre-activites .ror-ms__choisis")).to_contain_text(ajoutee.libelle)
    page.click("#encadre-activites button[type=submit]")
    expect(page.locator("#encadre-activites")).to_contain_text("Enregistré et publié")
    expect(page.locator("#encadre-activites")).to_contain_text(ajoutee.libelle)

    page.reload()  # published at once: the fiche shows it to everyone
    expect(page.locator("#encadre-contacts")).to_contain_text("02 41 55 66 77")
    page.click("text=Historique")
    historique = page.locator("main")
    expect(historique).to_contain_text("02 41 55 66 77")
    expect(historique).to_contain_text("Activités opérationnelles")
    expect(historique).to_contain_text(f"Ajouté : {ajoutee.libelle}")
    expect(historique.locator("[data-encadre]").first).to_have_text("Activités opérationnelles")  # newest first
    assert not refus_csp


def test_consultant_sans_controle_et_post_force_refuse(live_server, page, connecter, region):
    connecter(region.consultant)
    page.goto(fiche(live_server, region.uo_hp))
    expect(page.locator("h1")).to_have_text("Hébergement permanent")
    expect(page.locator("[data-modifier]")).to_have_count(0)
    expect(page.locator("text=J'ai vérifié mes données")).to_have_count(0)
    jeton = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    reponse = page.request.post(f"{live_server.url}/repertoire/{region.uo_hp.pk}/encadre/contacts/",
                                form={"version": str(region.uo_hp.version), "telephone": "06 66 66 66 66",
                                      "fax": "", "email": "", "contacts-TOTAL_FORMS": "0",
                                      "contacts-INITIAL_FORMS": "0", "csrfmiddlewaretoken": jeton},
                                headers={"X-CSRFToken": jeton, "Referer": fiche(live_server, region.uo_hp)})
    assert reponse.status == 403
    assert Structure.objects.get(pk=region.uo_hp.pk).telephone == ""


def test_deux_modifications_concurrentes_seconde_refusee(live_server, page, connecter, browser, region):
    connecter(region.referent)
    page.goto(fiche(live_server, region.uo_hp))
    ouvrir_encadre(page, "contacts")
    autre = browser.new_context().new_page()
    connecter_dans(autre, live_server, region.directeur)
    autre.goto(fiche(live_server, region.uo_hp))
    ouvrir_encadre(autre, "contacts")

    page.fill("#encadre-contacts input[name=telephone]", "02 41 10 10 10")
    page.click("#encadre-contacts button[type=submit]")
    expect(page.locator("#encadre-contacts")).to_contain_text("Enregistré et publié")

    autre.fill("#encadre-contacts input[name=telephone]", "02 41 20 20 20")
    autre.click("#encadre-contacts button[type=submit]")
    alerte = autre.locator("#encadre-contacts [data-conflit]")
    expect(alerte).to_contain_text("Enregistrement refusé")
    expect(alerte).to_contain_text("02 41 10 10 10")  # what the other one changed
    expect(autre.locator("#encadre-contacts input[name=telephone]")).to_have_value("02 41 20 20 20")  # kept
    assert Structure.objects.get(pk=region.uo_hp.pk).telephone == "02 41 10 10 10"  # nothing overwritten
    autre.context.close()


def test_avertit_avant_d_abandonner_un_encadre_modifie(live_server, page, connecter, region):
    connecter(region.referent)
    page.goto(fiche(live_server, region.uo_hp))
    ouvrir_encadre(page, "contacts")
    page.fill("#encadre-contacts input[name=email]", "nouveau@tilleuls.fr")
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.click("#encadre-contacts [data-annuler]")
    assert messages and "ne sont pas enregistrées" in messages[0]
    expect(page.locator("#encadre-contacts input[name=email]")).to_have_value("nouveau@tilleuls.fr")


def test_avertit_avant_de_quitter_la_page_avec_un_encadre_modifie(live_server, page, connecter, region):
    """The fiche warns when one leaves it with a typed, unsaved encadré, and only then."""
    connecter(region.referent)
    page.goto(fiche(live_server, region.uo_hp))
    ouvrir_encadre(page, "contacts")
    page.locator("#encadre-contacts input[name=telephone]").click()
    page.keyboard.type("02 41 12 34 56")
    dialogues = []
    page.once("dialog", lambda d: (dialogues.append(d.type), d.dismiss()))
    page.get_by_role("link", name="Répertoire", exact=True).first.click()
    expect(page.locator("#encadre-contacts input[name=telephone]")).to_have_value("02 41 12 34 56")
    assert dialogues == ["beforeunload"] and page.url == fiche(live_server, region.uo_hp)

    page.click("#encadre-contacts button[type=submit]")  # saved: leaving no longer asks
    expect(page.locator("#encadre-contacts")).to_contain_text("Enregistré et publié")
    page.on("dialog", lambda d: (dialogues.append(d.type), d.dismiss()))
    page.get_by_role("link", name="Répertoire", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/repertoire/$"))
    assert dialogues == ["beforeunload"]


def test_arbre_paresseux_et_carte_sans_tuiles(live_server, page, connecter, region):
    refus_csp = []
    page.on("console", lambda m: refus_csp.append(m.text) if "Content Security Policy" in m.text else None)
    connecter(region.consultant)
    page.goto(f"{live_server.url}/repertoire/")
    expect(page.locator("#arbre")).not_to_contain_text("EHPAD LES TILLEULS")
    page.locator(f"#noeud-{region.ej.pk} > [data-deplier]").click()
    expect(page.locator(f"#enfants-{region.ej.pk}")).to_contain_text("EHPAD LES TILLEULS")
    page.locator(f"#noeud-{region.ehpad.pk} > [data-deplier]").click()
    expect(page.locator(f"#enfants-{region.ehpad.pk}")).to_contain_text("Accueil de jour")
    page.locator(f"#enfants-{region.ehpad.pk} a", has_text="Accueil de jour").click()
    expect(page).to_have_url(re.compile(rf"/repertoire/{region.uo_aj.pk}/$"))
    expect(page.locator("#carte .leaflet-marker-icon")).to_be_visible()  # no tile server, the marker shows
    assert not refus_csp  # tree, htmx and map run under the production Content-Security-Policy


def test_la_bulle_de_la_carte_montre_le_nom_comme_du_texte(live_server, page, connecter, region):
    # The review's reproduction: a name that, read as HTML, lays a link over the whole page.
    piege = '<a id="piege" href="https://x.invalid" style="position:fixed;inset:0">Cliquez</a>'
    Structure.objects.filter(pk=region.uo_aj.pk).update(nom=piege)
    connecter(region.consultant)
    page.goto(fiche(live_server, region.uo_aj))
    page.locator("#carte .leaflet-marker-icon").click()
    expect(page.locator("#carte .leaflet-popup-content")).to_have_text(piege)
    assert page.locator("#piege").count() == 0
