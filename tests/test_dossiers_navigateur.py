"""The dossier collaboratif in real Chromium, with three accounts: the référent fills and sends,
the directeur validates, the gestionnaire publishes; the live Répertoire shows the result."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dossiers.models import DossierCollaboratif, EtatDossier
from repertoire.models import Structure
from tests.factories import concept

pytestmark = pytest.mark.django_db(transaction=True)


def changer_de_compte(page, connecter, user):
    page.context.clear_cookies()
    connecter(user)


def menu(page, rubrique: str):
    """A heading of the site's menu, as a person reaches it: on a phone, « Menu » opens it first."""
    if page.get_by_role("button", name="Menu").is_visible():
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name=rubrique, exact=True).locator("visible=true").first.click()


def chercher_dans_le_repertoire(page, saisie: str, nom: str):
    """A fiche as a person finds it: the menu's Répertoire, a few letters of its name, its link."""
    menu(page, "Répertoire")
    page.get_by_label("Filtrer par nom").press_sequentially(saisie, delay=20)
    page.get_by_label("Filtrer par nom").press("Enter")
    page.locator("#arbre").get_by_role("link", name=nom, exact=True).click()
    expect(page.locator("h1")).to_contain_text(nom)


def test_referent_directeur_gestionnaire_dans_chromium(live_server, page, connecter, region):
    page.set_default_timeout(15000)
    # -- the référent opens a dossier on its EHPAD
    connecter(region.referent)
    chercher_dans_le_repertoire(page, "tilleul", "EHPAD LES TILLEULS")
    page.get_by_role("link", name="Ouvrir un dossier collaboratif").first.click()
    page.wait_for_url("**/dossiers/ouvrir/*/")
    page.fill("#id_titre", "Restructuration 2026")
    page.click("#ouvrir-dossier")
    page.wait_for_url("**/dossiers/*/")
    dossier = DossierCollaboratif.objects.get()
    assert page.locator("h1").inner_text().startswith(f"Dossier collaboratif n° {dossier.pk}")

    # renames the EG: the naming rules answer while typing, then the fiche is finalised
    page.click('tr[data-nom="EHPAD LES TILLEULS"] a')
    nommage = page.locator("#avertissements-nommage")
    expect(nommage).not_to_contain_text("MAJUSCULES")
    page.fill("#id_nom", "")
    page.locator("#id_nom").press_sequentially("Ehpad les Tilleuls", delay=20)
    expect(nommage).to_be_visible()
    expect(nommage).to_contain_text("MAJUSCULES")
    expect(nommage).to_contain_text("« EHPAD ANGERS »")  # the example follows the category and the commune
    page.fill("#id_nom", "EHPAD LES TILLEULS ANGERS")
    expect(nommage).to_be_hidden()
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert "Finalisée" in page.locator('tr[data-nom="EHPAD LES TILLEULS ANGERS"]').text_content().strip()

    # creates a UO: discipline first, then the type d'UO (the list follows the discipline); the
    # button shows its label, not a bare "+" (an icon button in a group is icon-only in the DSFR)
    bouton = page.locator("#creer-unites")
    assert bouton.bounding_box()["width"] > 150
    page.get_by_role("link", name="Créer des unités opérationnelles").click()
    page.select_option("#id_discipline", "MSS")
    cmp = page.locator(f'#id_type_uo option[value="{concept("J34", "10").pk}"]')  # psychiatry: hidden
    assert cmp.evaluate("o => o.hidden") is True
    page.select_option("#id_type_uo", str(concept("J34", "21").pk))
    page.fill("#id_nom", "Hebergement temporaire personnes agees")
    page.click("#creer")
    page.wait_for_url("**/fiches/*/")
    page.fill("#id_age_min", "60")
    page.fill("#id_age_max", "120")
    activite = concept("J17", "293").libelle  # the Répertoire's searchable picker, as in an encadré
    page.locator("#id_activites + .ror-ms .ror-ms__recherche").press_sequentially(activite[:10], delay=20)
    page.locator("#id_activites + .ror-ms .ror-ms__option", has_text=activite).first.click()
    expect(page.locator("#id_activites + .ror-ms .ror-ms__choisis")).to_contain_text(activite)
    # the commune by its name, chosen among the suggestions
    page.locator("#id_commune").press_sequentially("Ange", delay=30)
    page.locator("#id_commune + .ror-ms__options button", has_text="Angers").first.click()
    expect(page.locator("#id_commune")).to_have_value("Angers (49000)")
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert "Finalisée (nouvelle fiche)" in page.locator(
        'tr[data-nom="Hebergement temporaire personnes agees"]').text_content().strip()

    # meanwhile the référent changes the EHPAD's phone directly in the Répertoire, found in the tree
    menu(page, "Répertoire")
    page.get_by_role("button", name="Déplier ASSOCIATION LES TILLEULS").click()
    page.locator("#arbre").get_by_role("link", name="EHPAD LES TILLEULS", exact=True).click()
    expect(page.locator("h1")).to_contain_text("EHPAD LES TILLEULS")
    page.locator("#encadre-contacts [data-modifier]").click()
    page.fill("#encadre-contacts input[name=telephone]", "02 41 99 99 99")
    page.click("#encadre-contacts button[type=submit]")
    expect(page.locator("#encadre-contacts")).to_contain_text("Enregistré et publié")
    menu(page, "Dossiers collaboratifs")  # back to the dossier from the list of dossiers
    page.click(f'a[href="/dossiers/{dossier.pk}/"] >> nth=0')
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")

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
    menu(page, "Dossiers collaboratifs")
    page.click(f'#a-traiter a[href="/dossiers/{dossier.pk}/"]')
    page.click("text=Ce que change le dossier")
    # only what the dossier changes: the EG's name, the created unit, the deleted one…
    natures = {b.get_attribute("data-nature") for b in page.locator(".ror-diff").all()}
    assert page.locator(".ror-diff").count() == 3 and natures == {"Modification", "Création", "Suppression"}
    bloc_eg = page.locator(f'.ror-diff[data-fiche="{dossier.fiches.get(structure=region.ehpad).pk}"]')
    assert [ligne.get_attribute("data-champ") for ligne in bloc_eg.locator("tr[data-champ]").all()] == ["nom"]
    assert bloc_eg.locator(".ror-avant").text_content().strip() == "EHPAD LES TILLEULS"
    assert bloc_eg.locator(".ror-apres").text_content().strip() == "EHPAD LES TILLEULS ANGERS"
    assert "02 41" not in page.locator(".ror-diff").all_text_contents().__str__()
    # …and apart, flagged, the one field changed live since the copy (kept at publication)
    ecarts = page.locator("#ecarts .ror-ecart")
    assert ecarts.count() == 1
    assert ecarts.first.get_attribute("data-cle").endswith(":telephone")
    assert "02 41 99 99 99" in ecarts.first.locator(".ror-repertoire").text_content()
    assert "valeur du Répertoire gardée" in ecarts.first.text_content()
    page.go_back()
    page.fill("#commentaire-validation", "Conforme à l'autorisation")
    page.click("#valider")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert page.locator(".ror-etat-dossier").first.text_content().strip() == "En validation gestionnaire"

    # -- the gestionnaire publishes
    changer_de_compte(page, connecter, region.gestionnaire)
    menu(page, "Dossiers collaboratifs")
    page.click(f'#a-traiter a[href="/dossiers/{dossier.pk}/"]')
    page.click("#aller-publier")
    page.click("#publier")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert page.locator(".ror-etat-dossier").first.text_content().strip() == "Publié"
    chronologie = page.locator("#chronologie").text_content().strip()
    assert "Validation du directeur" in chronologie and "Conforme à l'autorisation" in chronologie

    # -- the live Répertoire shows the new state, and the history names the dossier
    ehpad = Structure.objects.get(pk=region.ehpad.pk)
    assert ehpad.nom == "EHPAD LES TILLEULS ANGERS" and ehpad.statut_fiche == "standard"
    assert ehpad.telephone == "02 41 99 99 99"  # the live change, kept as the comparison said
    assert not Structure.objects.filter(pk=region.uo_aj.pk).exists()
    creee = Structure.objects.get(nom="Hebergement temporaire personnes agees")
    assert creee.parent_id == ehpad.pk
    assert ehpad.history.first().history_change_reason == f"Dossier collaboratif n° {dossier.pk}"
    assert DossierCollaboratif.objects.get().etat == EtatDossier.PUBLIE
    chercher_dans_le_repertoire(page, "angers", "EHPAD LES TILLEULS ANGERS")
    assert "Hebergement temporaire personnes agees" in page.content()

    # both fiches' Historique show the publication: dossier, who, before → after, the creation
    page.get_by_role("link", name="Historique", exact=True).first.click()  # the fiche's tab
    page.wait_for_url(f"**{reverse('repertoire:historique', args=[ehpad.pk])}")
    entree = page.locator(".ror-historique", has_text=f"Dossier collaboratif n° {dossier.pk}")
    expect(entree).to_have_count(1)
    expect(entree).to_contain_text("gestionnaire")
    ligne_nom = entree.locator("tr", has_text="Nom")
    expect(ligne_nom.first).to_contain_text("EHPAD LES TILLEULS")
    expect(ligne_nom.first).to_contain_text("EHPAD LES TILLEULS ANGERS")
    expect(entree).to_contain_text("« Hebergement temporaire personnes agees »")
    expect(entree).to_contain_text("créée")
    expect(entree).to_contain_text("« Accueil de jour »")
    expect(entree).to_contain_text("supprimée")
    page.go_back()  # the EHPAD's fiche, then the created unit's own Historique tab
    page.locator("main").get_by_role("link", name="Hebergement temporaire personnes agees").first.click()
    page.get_by_role("link", name="Historique", exact=True).first.click()
    page.wait_for_url(f"**{reverse('repertoire:historique', args=[creee.pk])}")
    entree = page.locator(".ror-historique", has_text=f"Dossier collaboratif n° {dossier.pk}")
    expect(entree).to_have_count(1)
    expect(entree).to_contain_text("gestionnaire")
    expect(entree).to_contain_text("Hebergement temporaire personnes agees")
    expect(entree).to_contain_text(concept("J17", "293").libelle)  # its initial values, as after


@pytest.mark.parametrize("ecran", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["bureau", "telephone"])
def test_creer_etablissement_organisation_et_unite_dans_un_dossier_sur_l_ej(live_server, page, connecter, region,
                                                                            ecran):
    """The directeur creates, in one dossier on the EJ, an establishment (after the duplicate
    check), an organisation interne under it and a unit under that; the naming rules answer
    while typing, the activities follow the type, the territory takes an EPCI in one step."""
    page.set_default_timeout(15000)
    page.set_viewport_size(ecran)
    connecter(region.directeur)
    menu(page, "Dossiers collaboratifs")  # the list, where « Ouvrir un dossier collaboratif » offers the EJ
    page.locator("#structures-a-ouvrir").get_by_role("link", name=region.ej.nom, exact=True).click()
    page.click("#ouvrir-dossier")
    page.wait_for_url("**/dossiers/*/")
    dossier = DossierCollaboratif.objects.get()

    # the establishment: a likely duplicate is proposed first, then confirmed
    page.click("#creer-structure")
    page.select_option("#id_niveau", "EG")
    page.fill("#id_nom", "EHPAD LES TILLEULS")
    page.select_option("#id_categorie", str(concept("J55", "500").pk))
    page.locator("#id_commune").press_sequentially("Ange", delay=30)
    page.locator("#id_commune + .ror-ms__options button", has_text="Angers").first.click()
    page.click("#creer-structure-valider")
    expect(page.locator("#doublons")).to_contain_text("EHPAD LES TILLEULS")
    page.fill("#id_nom", "EHPAD BEAUSOLEIL ANGERS")
    page.click("#creer-structure-valider")
    page.wait_for_url("**/fiches/*/")
    eg = dossier.fiches.get(creation=True, niveau="EG")
    expect(page.locator("h1")).to_contain_text("EHPAD BEAUSOLEIL ANGERS")
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")

    # an organisation interne under the new establishment; its naming rules while typing
    page.click("#creer-structure")
    expect(page.locator("#id_type_oi")).to_be_hidden()  # only the fields of the level chosen
    page.select_option("#id_niveau", "OI")
    expect(page.locator("#id_finess")).to_be_hidden()
    expect(page.locator("#id_categorie")).to_be_hidden()
    assert page.locator(f'#id_parent option[value="{region.ej.pk}"]').evaluate("o => o.disabled")  # not under the EJ
    page.select_option("#id_parent", f"fiche-{eg.pk}")
    page.fill("#id_nom", "Geriatrie")
    page.select_option("#id_type_oi", str(concept("J203", "1").pk))
    page.click("#creer-structure-valider")
    page.wait_for_url("**/fiches/*/")
    oi = dossier.fiches.get(creation=True, niveau="OI")
    nommage = page.locator("#avertissements-nommage")
    expect(nommage).to_contain_text("« Pole geriatrie »")  # the example follows the type d'OI
    page.fill("#id_nom", "")
    page.locator("#id_nom").press_sequentially("Pôle gériatrie", delay=20)
    expect(nommage).to_contain_text("accents")
    page.fill("#id_nom", "Pole geriatrie")
    expect(nommage).to_be_hidden()
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")

    # a unit under the organisation interne, from the labelled button
    page.click("#creer-unites")
    page.select_option("#id_parent", f"fiche-{oi.pk}")
    page.select_option("#id_discipline", "MSS")
    page.select_option("#id_type_uo", str(concept("J34", "21").pk))
    page.fill("#id_nom", "Hebergement permanent personnes agees")
    page.click("#creer")
    page.wait_for_url("**/fiches/*/")
    # activities: those of the units of this type first; « toutes » shows the others. A name the
    # type never offers is still found, after a note (a typed activity is never hidden).
    recherche = page.locator("#id_activites + .ror-ms .ror-ms__recherche")
    recherche.press_sequentially("Réanimation", delay=20)
    options = page.locator("#id_activites + .ror-ms .ror-ms__options")
    expect(options).to_contain_text("Aucune activité habituelle de ce type ne correspond ; les autres :")
    expect(options.locator(".ror-ms__option", has_text="Réanimation médicale")).to_have_count(1)
    page.locator("label[for=id_activites-toutes]").click()
    expect(page.locator("#id_activites + .ror-ms .ror-ms__option", has_text="Réanimation médicale")).to_have_count(1)
    page.locator("label[for=id_activites-toutes]").click()
    recherche.fill("")
    activite = concept("J17", "293").libelle
    recherche.press_sequentially(activite[:12], delay=20)
    page.locator("#id_activites + .ror-ms .ror-ms__option", has_text=activite).first.click()
    page.fill("#id_age_min", "60")
    page.fill("#id_age_max", "120")
    # the territory: an EPCI in one step, from the suggestions
    page.locator("#id_territoire").press_sequentially("Angers Loire", delay=30)
    page.locator("#id_territoire + .ror-ms__options button", has_text="CU Angers Loire Métropole (EPCI)").click()
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    uo = dossier.fiches.get(creation=True, niveau="UO")
    assert uo.parent_fiche_id == oi.pk and len(uo.donnees["territoire"]) == 29
    lignes = [t.strip() for t in page.locator("tr[data-nom] td:nth-child(2) a").all_text_contents()]
    assert lignes.index("EHPAD BEAUSOLEIL ANGERS") < lignes.index("Pole geriatrie") < lignes.index(
        "Hebergement permanent personnes agees")
    # FINESS: the new establishment has no number yet, the directeur is told
    expect(page.locator('tr[data-nom="EHPAD BEAUSOLEIL ANGERS"]')).to_contain_text("Aucun numéro FINESS")


@pytest.mark.parametrize("ecran", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["bureau", "telephone"])
def test_un_contact_et_le_territoire_modifies_dans_le_dossier_et_la_comparaison_du_directeur(
        live_server, page, connecter, region, ecran):
    """From the menu, the référent opens a dossier on its EHPAD, changes one contact's phone (the
    Répertoire's contact form) and adds a whole département to a unit's territory by keyboard
    from the suggestions (« 49 » offers the département first, the commune already chosen stays);
    the directeur, from « À traiter », reads exactly those changes, the département said as such."""
    from nomenclatures.models import Commune
    from repertoire.services import encadres, offre

    encadres.ecrire_parties(region.gestionnaire, region.uo_hp, {"contacts": [
        {"id": None, "libelle": "Secrétariat", "telephone": "02 41 00 00 01", "email": ""},
        {"id": None, "libelle": "Téléphone médical", "telephone": "02 41 00 00 02", "email": ""}]}, raison="Contacts")
    # a text of several lines: the browser sends it back with CRLF, which is no change
    offre.modifier_structure(None, region.uo_hp, {"conditions_admission": "Dossier ViaTrajectoire.\nVisite."},
                             raison="test")
    page.set_default_timeout(15000)
    page.set_viewport_size(ecran)
    connecter(region.referent)
    menu(page, "Dossiers collaboratifs")
    page.locator("#structures-a-ouvrir").get_by_role("link", name=region.ehpad.nom, exact=True).click()
    page.click("#ouvrir-dossier")
    page.wait_for_url("**/dossiers/*/")
    dossier = DossierCollaboratif.objects.get()
    page.click('tr[data-nom="Hébergement permanent"] a')
    page.wait_for_url("**/fiches/*/")
    expect(page.locator("#parties-fiche")).to_contain_text("Planning type")  # contacts, responsable, planning
    expect(page.locator("#id_contacts-0-telephone")).to_have_value("02 41 00 00 01")
    page.fill("#id_contacts-0-telephone", "02 41 12 34 56")
    # leaving now asks first, in the guide's words; staying keeps what was typed
    dialogues = []
    page.once("dialog", lambda d: (dialogues.append(d.message), d.dismiss()))
    page.get_by_role("link", name="Retour au dossier").click()
    assert dialogues == ["Quitter une fiche sans l'enregistrer entraîne la perte de ses données. Quitter quand même ?"]
    expect(page.locator("#id_contacts-0-telephone")).to_have_value("02 41 12 34 56")
    # the territory: a commune by mouse, then « 49 »: the département comes first, taken by keyboard
    territoire = page.locator("#id_territoire")
    suggestions = page.locator("#id_territoire + .ror-ms__options")
    territoire.press_sequentially("Lava", delay=30)
    suggestions.locator("button", has_text="Laval (53000)").click()
    territoire.press_sequentially("49", delay=30)
    expect(suggestions.locator("button").first).to_contain_text("Maine-et-Loire (49)")
    expect(suggestions.locator("button").first).to_contain_text("tout le département, 176 communes")
    territoire.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(territoire).to_have_value("Laval (53000), Maine-et-Loire (49), ")
    expect(suggestions.locator("button")).to_have_count(0)
    page.click("#finaliser")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")
    assert Structure.objects.get(pk=region.uo_hp.pk).contacts.get(libelle="Secrétariat").telephone == "02 41 00 00 01"
    maine_et_loire = set(Commune.objects.filter(departement="49").values_list("pk", flat=True))
    assert set(dossier.fiches.get(structure=region.uo_hp).donnees["territoire"]) == maine_et_loire | {"53130"}
    page.click("#envoyer")
    page.wait_for_url(f"**/dossiers/{dossier.pk}/")

    changer_de_compte(page, connecter, region.directeur)
    page.locator(f'#a-traiter a[href="/dossiers/{dossier.pk}/"]').click()  # the home page's « À traiter »
    page.click("text=Ce que change le dossier")
    blocs = page.locator(".ror-diff")
    expect(blocs).to_have_count(1)
    expect(blocs.first).to_have_attribute("data-nature", "Modification")
    lignes = blocs.first.locator("tr[data-champ]")
    expect(lignes).to_have_count(2)
    territoire, contacts = lignes.nth(0), lignes.nth(1)
    expect(contacts).to_have_attribute("data-champ", "contacts")
    expect(contacts.locator("th")).to_contain_text("Secrétariat")
    expect(contacts.locator(".ror-avant")).to_have_text("Secrétariat · 02 41 00 00 01")
    expect(contacts.locator(".ror-apres")).to_have_text("Secrétariat · 02 41 12 34 56")
    expect(territoire).to_have_attribute("data-champ", "territoire")
    expect(territoire.locator(".ror-apres")).to_have_text("Maine-et-Loire (49) : tout le départementLaval (53000)")
    expect(page.locator("#ecarts .ror-ecart")).to_have_count(0)
    # on a phone the comparison fits the screen: nothing wider than the viewport but its table's scroller,
    # and a whole département is one line, not 176 (the page was 9,000 px tall)
    assert page.evaluate("document.documentElement.scrollWidth") <= ecran["width"] + 1
    assert page.evaluate("document.documentElement.scrollHeight") < 2500


@pytest.mark.parametrize("ecran", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                         ids=["bureau", "telephone"])
def test_les_modifications_en_ligne_se_lisent_sur_un_telephone(live_server, page, connecter, region, ecran):
    """The live changes since the copy (a conflict and a value kept) fit the screen on the
    comparison and on the publish page: no sideways scroll on a 390 px phone, each value next to
    the name of its column."""
    import os

    from dossiers import services
    from repertoire.services import offre

    dossier = services.ouvrir_dossier(region.referent, region.ehpad, titre="Contacts 2026")
    fiches = {f.structure_id: f for f in dossier.fiches.all()}
    services.enregistrer_fiche(region.referent, fiches[region.uo_hp.pk], {"telephone": "02 41 11 11 11"},
                               finaliser=True)
    services.enregistrer_fiche(region.referent, fiches[region.ehpad.pk], {"nom": "EHPAD LES TILLEULS ANGERS"},
                               finaliser=True)
    offre.modifier_structure(region.referent, region.uo_hp, {"telephone": "02 41 22 22 22"}, raison="Contacts")
    offre.modifier_structure(region.referent, region.ehpad, {"email": "accueil.ehpad-les-tilleuls@exemple.fr"},
                             raison="Contacts")
    services.envoyer_en_validation(region.referent, dossier)
    services.valider(region.directeur, dossier)

    page.set_default_timeout(15000)
    page.set_viewport_size(ecran)
    connecter(region.gestionnaire)
    menu(page, "Dossiers collaboratifs")
    page.click(f'#a-traiter a[href="/dossiers/{dossier.pk}/"]')
    captures = os.environ.get("ROR_CAPTURES")  # where a developer wants to look at the pages
    for etape in ("comparer", "publier"):
        if etape == "comparer":
            page.get_by_role("link", name="Ce que change le dossier").click()
        else:
            page.go_back()
            page.click("#aller-publier")
        ecarts = page.locator("#ecarts .ror-ecart")
        expect(ecarts).to_have_count(2)
        conflit = page.locator('#ecarts .ror-ecart[data-conflit="oui"]')
        expect(conflit.locator(".ror-repertoire")).to_contain_text("02 41 22 22 22")
        expect(conflit).to_contain_text("Conflit")
        if captures:
            page.screenshot(path=f"{captures}/{etape}-{ecran['width']}.png", full_page=True)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= ecran["width"]
        # every cell of the table inside the screen, its column's name beside it on a phone
        for cellule in page.locator("#ecarts .ror-ecart > *").all():
            boite = cellule.bounding_box()
            assert boite["x"] >= 0 and boite["x"] + boite["width"] <= ecran["width"], cellule.text_content()
        # the dossier's own changes too: « 02 41 11 11 11 » on one line, under its column's name
        apres = page.locator('.ror-diff tr[data-champ="telephone"] .ror-apres')
        lignes = apres.evaluate("td => { const r = document.createRange(); r.selectNodeContents(td.firstChild); "
                                "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
        assert apres.text_content() == "02 41 11 11 11" and lignes == 1
        assert apres.evaluate("td => getComputedStyle(td, '::before').content") == (
            '"Dans le dossier"' if ecran["width"] < 576 else "none")
        etiquette = conflit.locator(".ror-repertoire .ror-etiquette")
        expect(etiquette).to_have_text("Dans le Répertoire")
        expect(etiquette).to_be_visible() if ecran["width"] < 576 else expect(etiquette).to_be_hidden()
