"""Issue #13 on the server side: the search reads what a person types and says what it
understood; each row says why it matched; the tree sorted A–Z with FINESS and commune; the home
page's "À traiter"; the maps' background; French numbers and genders."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from recherche.moteur import lire_age, proposer_libelles, trouver_lieu
from repertoire import schema
from repertoire.services import offre, signalements
from socle.templatetags.cartes import tuiles

pytestmark = pytest.mark.django_db

URL = reverse("recherche:recherche")


@pytest.mark.parametrize("saisie", ["Angers (49000)", "Angers 49000", "angers", "49000"])
def test_ou_lit_ce_que_montrent_les_propositions_et_ce_qu_on_tape(region, saisie):
    lieu = trouver_lieu("", saisie)
    assert lieu is not None and (lieu.genre, lieu.code) == ("commune", "49007")


def test_ou_ne_lit_pas_un_code_insee_tape_comme_un_code_postal(region):
    """A typed INSEE code (49007, Angers) is no postcode: it finds no place rather than another one
    (the page then says the place was not found); chosen in the suggestions, the code is read."""
    assert trouver_lieu("", "49007") is None
    lieu = trouver_lieu("commune:49007", "49007")
    assert (lieu.genre, lieu.code) == ("commune", "49007")


def test_ou_lit_un_etablissement_par_son_libelle(region):
    lieu = trouver_lieu("", "EHPAD LES TILLEULS 49000")
    assert (lieu.genre, lieu.code) == ("eg", str(region.ehpad.pk))
    assert trouver_lieu("", "ehpad les tilleuls").code == str(region.ehpad.pk)


def test_la_page_trouve_angers_sans_choisir_la_proposition(connecte):
    reponse = connecte.get(URL, {"quoi": "EHPAD", "ou": "Angers (49000)", "lieu": ""})
    html = reponse.content.decode()
    assert "Lieu introuvable" not in html
    assert [ligne.eg.nom for ligne in reponse.context["lignes"]] == ["EHPAD LES TILLEULS"]


@pytest.mark.parametrize("saisie,attendu", [
    ("8 ans", ("", 8)), ("enfant de 8 ans", ("", 8)), ("IME pour enfant de 8 ans", ("IME", 8)),
    ("personne âgée de 80 ans consultation mémoire", ("consultation mémoire", 80)),
    ("bébé de 6 mois", ("", 0)), ("CMP enfants", ("CMP enfants", None)), ("EHPAD", ("EHPAD", None)),
])
def test_l_age_dans_le_besoin(saisie, attendu):
    reste, age, _ = lire_age(saisie)
    assert (reste, age) == attendu


def test_la_page_dit_ce_qu_elle_a_compris(connecte):
    reponse = connecte.get(URL, {"quoi": "accueil de jour pour une personne de 80 ans"})
    html = reponse.content.decode()
    assert "Compris : « personne de 80 ans » : âge de la personne, 80 ans" in html
    assert reponse.context["critere"].age == 80 and reponse.context["critere"].texte == "accueil de jour pour une"
    assert [u.nom for ligne in reponse.context["lignes"] for u in ligne.uos] == ["Accueil de jour"]
    # the age field shows it too, and a 130-year-old finds nothing (the filter is applied)
    assert 'name="age" value="80"' in html
    assert connecte.get(URL, {"quoi": "accueil de jour 130 ans"}).context["lignes"] == []


def test_que_recherchez_vous_propose_sigles_et_modes(region):
    assert proposer_libelles("EHPAD")[0] == {
        "libelle": "EHPAD", "genre": "Sigle : Etablissement d'hébergement pour personnes âgées dépendantes"}
    # a mode is a filter of the form, not words of the index: the suggestion says which value to set
    assert proposer_libelles("accueil de jour")[0] == {"libelle": "Accueil de jour", "genre": "Mode de prise en charge",
                                                       "filtre": "mode", "code": "47"}
    assert all("filtre" not in p for p in proposer_libelles("accueil de jour")[1:] if p["genre"] != "Mode de prise en charge")
    assert proposer_libelles("ssiad")[0]["libelle"] == "SSIAD"


def test_chaque_ligne_dit_pourquoi_elle_correspond_et_l_ordre(connecte, region):
    reponse = connecte.get(URL, {"quoi": "réanimation"})
    html = reponse.content.decode()
    assert "Correspond par nom : <mark>Réanimation</mark> adulte" in html
    assert f'href="{reverse("repertoire:fiche", args=[region.ch.pk])}" class="ror-lien-eg">CH CHOLET</a>' in html
    assert "Par pertinence" in html
    assert "Par nom d'établissement." in connecte.get(URL, {"ou": "Maine-et-Loire (49)"}).content.decode()
    assert "Du plus proche" in connecte.get(URL, {"ou": "Angers"}).content.decode()


def test_retour_aux_resultats_sur_la_ligne_ouverte(connecte, region):
    reponse = connecte.get(reverse("recherche:resultat", args=[region.uo_rea.pk]),
                           {"ou": "Angers", "rayon": "100", "page": "1"})
    assert reponse.context["retour"].endswith("page=1#resultat-2")


def test_arbre_de_a_a_z_avec_finess_et_commune(client, region):
    offre.creer_structure(None, "EJ", None, nom="AAA PREMIERE ASSOCIATION", finess="490000999")
    client.force_login(region.consultant)
    html = client.get(reverse("repertoire:arbre")).content.decode()
    assert html.index("AAA PREMIERE") < html.index("ASSOCIATION LES TILLEULS") < html.index("CENTRE HOSPITALIER")
    assert "FINESS 490000015 · Angers" in html
    enfants = client.get(reverse("repertoire:arbre_enfants", args=[region.ej.pk]), HTTP_HX_REQUEST="true")
    assert "FINESS 490000023 · Angers" in enfants.content.decode()


def test_a_traiter_selon_le_role(client, region):
    signalements.signaler_anomalie(region.consultant, region.ehpad, "Le téléphone a changé.")
    client.force_login(region.referent)
    html = client.get(reverse("accueil")).content.decode()
    assert 'id="a-traiter"' in html and "Anomalies signalées sur vos structures" in html
    assert "Vos fiches à vérifier" in html and 'id="id_ou"' in html  # and the search form
    client.force_login(region.consultant)
    html = client.get(reverse("accueil")).content.decode()
    assert "Rien ne vous attend pour le moment." in html


def test_fond_de_carte_plan_ign_par_defaut_et_hors_ligne(settings):
    from ror import settings as reglages

    assert "data.geopf.fr/wmts" in reglages.TUILES_PLAN_IGN and "LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2" in \
        reglages.TUILES_PLAN_IGN and "TILEMATRIXSET=PM" in reglages.TUILES_PLAN_IGN
    assert "https://data.geopf.fr" in reglages.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] or \
        reglages.LEAFLET_TILES_URL != reglages.TUILES_PLAN_IGN
    settings.LEAFLET_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    settings.LEAFLET_TILES_ATTRIBUTION = "Tuiles locales"
    assert tuiles() == [{"url": "http://127.0.0.1:9/{z}/{x}/{y}.png", "attribution": "Tuiles locales", "maxZoom": 18}]
    settings.LEAFLET_TILES_URL = ""
    assert tuiles() == []


@override_settings(LEAFLET_TILES_URL="http://127.0.0.1:9/{z}/{x}/{y}.png")
def test_les_cartes_recoivent_le_fond(connecte, region):
    html = connecte.get(URL, {"ou": "Angers", "vue": "carte"}).content.decode()
    assert 'id="ror-tuiles"' in html and "127.0.0.1:9" in html and "ror/js/fond-carte.js" in html
    html = connecte.get(reverse("repertoire:fiche", args=[region.ehpad.pk])).content.decode()
    assert 'id="ror-tuiles"' in html and "127.0.0.1:9" in html


def test_nombres_prix_et_genres_en_francais():
    from decimal import Decimal

    assert schema.nombre_fr(Decimal("3094.00"), euros=True).replace("\u202f", " ").replace("\xa0", " ") == "3 094,00 €"
    assert schema.nombre_fr(1200).replace("\u202f", " ").replace("\xa0", " ") == "1 200"
    assert schema.non_renseigne("Capacité") == "Non renseignée"
    assert schema.non_renseigne("Téléphone") == "Non renseigné"
    assert schema.non_renseigne("Activités opérationnelles") == "Non renseignées"
    assert schema.texte("tarif_mensuel", Decimal("3094")).replace("\u202f", " ").replace("\xa0", " ") == "3 094,00 €"


def test_export_csv_avec_ce_qui_correspond_capacite_discipline_et_lien(connecte, region):
    import csv
    import io

    reponse = connecte.get(reverse("recherche:export_csv"), {"quoi": "réanimation"})
    lignes = list(csv.DictReader(io.StringIO(reponse.getvalue().decode("utf-8-sig")), delimiter=";"))
    (rea,) = lignes
    assert rea["Discipline"] == region.uo_rea.get_discipline_display() != "MCO"
    assert rea["Correspond par"].startswith("Nom : Réanimation adulte ; Activité : Réanimation") and rea["Lits installés"] == "12"
    assert rea["Fiche"] == f"http://testserver{reverse('repertoire:fiche', args=[region.uo_rea.pk])}"


def test_les_filtres_appliques_sont_dits_au_dessus_des_resultats(connecte, region):
    html = connecte.get(URL, {"mode": "47", "aide_sociale": "on", "age": "80"}).content.decode()
    assert ("Filtres appliqués : Mode de prise en charge : Accueil de jour ; Âge de la personne : 80 ans ; "
            "Habilitée à l&#x27;aide sociale (à changer dans « Filtres »).") in html
    assert 'id="filtres-actifs"' not in connecte.get(URL, {"quoi": "EHPAD"}).content.decode()


def test_au_dela_du_plafond_la_page_dit_plus_de(connecte, region, monkeypatch):
    """At national scale a page reads the first units only: the count says "plus de", the
    filters' counts say they are partial, and the first page is the same as without a ceiling."""
    from recherche import moteur

    entiere = [ligne.eg.nom for ligne in connecte.get(URL, {"ou": "Maine-et-Loire (49)"}).context["lignes"]]
    monkeypatch.setattr(moteur, "PLAFOND_LIGNES", 2)  # CH CHOLET (1 unit), then one of the EHPAD's 2
    cache.clear()  # the page of this query is cached under the offer's version, not under the ceiling
    reponse = connecte.get(URL, {"ou": "Maine-et-Loire (49)"})
    html = reponse.content.decode()
    assert reponse.context["page"].plafonne
    assert "<strong>plus de 1</strong> établissement" in html
    assert 'id="comptes-partiels"' in html
    assert [ligne.eg.nom for ligne in reponse.context["lignes"]] == entiere[:2]
    assert 'id="comptes-partiels"' not in connecte.get(URL, {"quoi": "réanimation"}).content.decode()


def test_une_ligne_montre_les_premieres_unites_et_compte_les_autres(connecte, region, monkeypatch):
    from recherche import moteur

    monkeypatch.setattr(moteur, "UO_PAR_LIGNE", 1)
    reponse = connecte.get(URL, {"ou": "Angers", "rayon": "100"})
    ehpad = next(ligne for ligne in reponse.context["lignes"] if ligne.eg.pk == region.ehpad.pk)
    assert len(ehpad.uos) == 1 and ehpad.nb_uos == 2
    html = reponse.content.decode()
    assert "2 unités correspondantes (les 1 premières ici)" in html
    assert f'Et 1 autre : <a href="{reverse("repertoire:fiche", args=[region.ehpad.pk])}">' in html
