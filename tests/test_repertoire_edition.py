"""Editing operational data one encadré at a time: rights, French validation, no lost update."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repertoire.models import Structure
from repertoire.services import encadres
from tests.factories import concept

pytestmark = pytest.mark.django_db


def url(structure, cle):
    return reverse("repertoire:modifier_encadre", args=[structure.pk, cle])


def contacts(structure, **valeurs):
    return {"version": structure.version, "telephone": "", "fax": "", "email": "",
            "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", **valeurs}


def poster(client, user, structure, cle, donnees):
    client.force_login(user)
    return client.post(url(structure, cle), donnees)


def test_le_referent_change_le_telephone_publie_aussitot(client, region):
    reponse = poster(client, region.referent, region.uo_hp, "contacts",
                     contacts(region.uo_hp, telephone="02 41 99 88 77", email="accueil@tilleuls.fr"))
    assert reponse.status_code == 302
    html = client.get(reverse("repertoire:fiche", args=[region.uo_hp.pk])).content.decode()
    assert "02 41 99 88 77" in html and "accueil@tilleuls.fr" in html
    dernier = region.uo_hp.history.first()
    assert dernier.history_user == region.referent and dernier.history_change_reason == "Contacts"


def test_le_formulaire_propose_des_libelles_jamais_des_codes(client, region):
    client.force_login(region.referent)
    html = client.get(url(region.uo_hp, "activites")).content.decode()
    activite = concept("J17", "293")
    assert f'<option value="{activite.pk}" selected>{activite.libelle}</option>' in html
    assert f">{activite.code}<" not in html
    assert "data-multiselect" in html


def test_liste_d_activites_et_code_hors_jeu_refuse(client, region):
    hors_jeu = concept("J16", "0001")  # an acte, not an activité
    reponse = poster(client, region.referent, region.uo_hp, "activites",
                     {"version": region.uo_hp.version, "activites": [concept("J17", "293").pk, hors_jeu.pk]})
    assert reponse.status_code == 400
    assert "Sélectionnez un choix valide" in reponse.content.decode()
    ajout = [concept("J17", "293").pk, concept("J17", "294").pk]
    assert poster(client, region.referent, region.uo_hp, "activites",
                  {"version": region.uo_hp.version, "activites": ajout}).status_code == 302
    assert set(Structure.objects.get(pk=region.uo_hp.pk).activites.values_list("pk", flat=True)) == set(ajout)


@pytest.mark.parametrize("cle, donnees, message", [
    ("contacts", {"email": "accueil.tilleuls.fr"}, "Saisissez une adresse de courriel valide."),
    ("contacts", {"telephone": "02 41 AB CD EF"}, "Saisissez un numéro de téléphone"),
    ("patientele", {"age_min": "80", "age_max": "60"}, "L&#x27;âge minimum doit être inférieur ou égal à l&#x27;âge maximum."),
    ("capacite", {"lits_installes": "-3"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
    ("patientele", {"age_min": "12", "age_max": "200"}, "inférieure ou égale à 150"),
])
def test_saisie_invalide_message_francais_rien_ne_change(client, region, cle, donnees, message):
    uo = region.uo_hp
    base = contacts(uo) if cle == "contacts" else {"version": uo.version}
    reponse = poster(client, region.referent, uo, cle, {**base, **donnees})
    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    apres = Structure.objects.get(pk=uo.pk)
    assert apres.version == uo.version and apres.age_min == 60 and apres.telephone == "" and apres.lits_installes is None


def test_un_script_de_5_mo_en_guise_de_photo_est_refuse(client, region):
    script = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\nrm -rf /\n" + b"x" * (5 * 1024 * 1024),
                                content_type="image/jpeg")
    reponse = poster(client, region.referent, region.ehpad, "photo",
                     {"version": region.ehpad.version, "photo": script, "pieces-piece_titre": ""})
    assert reponse.status_code == 400
    assert "La photo ne doit pas dépasser 2 Mo" in reponse.content.decode()
    petit_script = SimpleUploadedFile("photo.png", b"#!/bin/sh\necho pirate\n", content_type="image/png")
    reponse = poster(client, region.referent, region.ehpad, "photo",
                     {"version": region.ehpad.version, "photo": petit_script})
    assert reponse.status_code == 400 and "Téléversez une image valide" in reponse.content.decode()
    assert not Structure.objects.get(pk=region.ehpad.pk).photo


def test_consultant_sans_controle_et_post_force_refuse(client, region):
    client.force_login(region.consultant)
    html = client.get(reverse("repertoire:fiche", args=[region.uo_hp.pk])).content.decode()
    assert "data-modifier" not in html and "J&#x27;ai vérifié mes données" not in html
    reponse = client.post(url(region.uo_hp, "contacts"), contacts(region.uo_hp, telephone="06 66 66 66 66"))
    assert reponse.status_code == 403
    assert Structure.objects.get(pk=region.uo_hp.pk).telephone == ""


def test_referent_d_une_autre_structure_refuse(client, region):
    reponse = poster(client, region.referent_autre, region.uo_hp, "contacts", contacts(region.uo_hp, telephone="0600000000"))
    assert reponse.status_code == 403
    assert Structure.objects.get(pk=region.uo_hp.pk).telephone == ""


def test_donnees_ej_reservees_au_gestionnaire(client, region):
    for user in (region.directeur, region.referent):
        assert poster(client, user, region.ej, "contacts", {"version": region.ej.version, "telephone": "0241000000",
                                                             "fax": "", "email": ""}).status_code == 403
    assert poster(client, region.gestionnaire, region.ej, "contacts",
                  {"version": region.ej.version, "telephone": "02 41 00 00 01", "fax": "", "email": ""}).status_code == 302
    assert Structure.objects.get(pk=region.ej.pk).telephone == "02 41 00 00 01"


def test_donnees_structurelles_en_lecture_seule_avec_lien_dossier(client, region):
    ancien_type = region.uo_hp.type_uo_id
    reponse = poster(client, region.referent, region.uo_hp, "identification",
                     {"version": region.uo_hp.version, "nom": "Hébergement permanent – personnes âgées",
                      "type_uo": concept("J34", "01").pk, "finess": "999999999"})
    assert reponse.status_code == 302
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert uo.nom == "Hébergement permanent – personnes âgées" and uo.type_uo_id == ancien_type
    html = client.get(url(region.uo_hp, "identification")).content.decode()
    assert "dossier collaboratif" in html and "structurel" in html
    lien = reverse("dossiers:ouvrir", args=[region.uo_hp.pk])
    assert f'href="{lien}"' in html
    assert client.get(lien).status_code == 200  # the dossiers app opens it on the UO's EG


def test_deux_modifications_concurrentes_la_seconde_est_refusee(client, region):
    uo = region.uo_hp
    version_lue = uo.version  # both opened the encadré at this version
    assert poster(client, region.referent, uo, "contacts",
                  contacts(uo, telephone="02 41 11 11 11")).status_code == 302
    reponse = poster(client, region.directeur, uo, "contacts", {**contacts(uo, telephone="02 41 22 22 22"),
                                                                  "version": version_lue})
    assert reponse.status_code == 409
    html = reponse.content.decode()
    assert "Enregistrement refusé" in html and "02 41 11 11 11" in html and "referent" in html
    assert 'value="02 41 22 22 22"' in html  # the second user's input is kept, not lost
    assert Structure.objects.get(pk=uo.pk).telephone == "02 41 11 11 11"


def test_planning_lisible_et_erreur_de_creneau(client, region):
    donnees = {"version": region.uo_aj.version, "planning-jour_1": "08:30-12:00, 13h30-17h", "planning-jour_6": ""}
    assert poster(client, region.referent, region.uo_aj, "planning", donnees).status_code == 302
    html = client.get(reverse("repertoire:fiche", args=[region.uo_aj.pk])).content.decode()
    assert "08:30 – 12:00, 13:30 – 17:00" in html
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    reponse = poster(client, region.referent, uo, "planning", {"version": uo.version, "planning-jour_2": "midi"})
    assert reponse.status_code == 400 and "Créneau illisible" in reponse.content.decode()
    assert Structure.objects.get(pk=uo.pk).horaires.count() == 2


def test_territoire_par_nom_ou_code_postal(client, region):
    donnees = {"version": region.uo_aj.version, "ajouter_communes": "Angers, 49300"}
    assert poster(client, region.referent, region.uo_aj, "territoire", donnees).status_code == 302
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    assert set(uo.territoire.values_list("code_insee", flat=True)) == {"49007", "49099"}
    reponse = poster(client, region.referent, uo, "territoire", {"version": uo.version, "territoire": ["49007", "49099"],
                                                                  "ajouter_communes": "Saint-Martin"})
    assert reponse.status_code == 400 and "Plusieurs communes" in reponse.content.decode()


def test_territoire_par_epci_ou_departement_en_une_fois(client, region):
    from repertoire.forms import lire_territoire

    angers_loire_metropole = lire_territoire("CU Angers Loire Métropole (EPCI)")
    assert "49007" in angers_loire_metropole and len(angers_loire_metropole) == 29
    assert lire_territoire("244900015") == angers_loire_metropole  # by SIREN
    client.force_login(region.referent)
    suggestions = client.get(reverse("repertoire:communes"), {"q": "Angers Loire", "territoire": "1"}).json()
    assert suggestions["communes"][0]["libelle"] == "CU Angers Loire Métropole (EPCI)"
    donnees = {"version": region.uo_aj.version, "ajouter_communes": "CU Angers Loire Métropole (EPCI), 49300"}
    assert poster(client, region.referent, region.uo_aj, "territoire", donnees).status_code == 302
    assert Structure.objects.get(pk=region.uo_aj.pk).territoire.count() == 30
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    reponse = poster(client, region.referent, uo, "territoire", {"version": uo.version, "ajouter_communes": "999999999"})
    assert reponse.status_code == 400 and "EPCI introuvable" in reponse.content.decode()


def test_un_departement_se_propose_en_premier_et_se_relit_tel_qu_il_a_ete_choisi(client, region):
    """« 49 » or « Maine » suggests the whole département before any commune; its label, put in
    the field, reads back as its communes; a dossier's territory field shows it back the same
    way (a whole département and EPCI by name, not 176 communes), without losing the others."""
    from dossiers.forms import CommunesField
    from nomenclatures.models import Commune
    from repertoire.forms import lire_territoire

    client.force_login(region.referent)
    for saisie in ("49", "Maine", "maine et"):
        [premiere, *autres] = client.get(reverse("repertoire:communes"), {"q": saisie, "territoire": "1"}).json()["communes"]
        assert premiere == {"code": "49", "libelle": "Maine-et-Loire (49)", "detail": "tout le département, 176 communes"}
        assert all("département" not in c.get("detail", "") for c in autres)
    # an address asks for a commune: no département offered there
    assert client.get(reverse("repertoire:communes"), {"q": "49"}).json()["communes"][0]["libelle"] != "Maine-et-Loire (49)"
    maine_et_loire = set(Commune.objects.filter(departement="49").values_list("pk", flat=True))
    lus = lire_territoire("Laval (53000), Maine-et-Loire (49), CC du Pays de Craon (EPCI)")
    craon = set(Commune.objects.filter(epci__nom="CC du Pays de Craon").values_list("pk", flat=True))
    assert set(lus) == maine_et_loire | craon | {"53130"} and len(craon) > 2
    assert CommunesField().prepare_value(lus) == "Maine-et-Loire (49), CC du Pays de Craon (EPCI), Laval (53000)"
    assert set(lire_territoire(CommunesField().prepare_value(lus))) == set(lus)


def test_l_encadre_territoire_coche_un_departement_entier_en_une_case(client, region):
    """Editing a territory that covers Maine-et-Loire: one box for the département (it was 176 boxes,
    a 14,000 px page on a phone), one per other commune; unticking the département removes its
    communes, keeping it keeps them all."""
    from nomenclatures.models import Commune
    from repertoire.encadres import encadre_de
    from repertoire.forms import formulaire_champs
    from repertoire.services import offre

    maine_et_loire = set(Commune.objects.filter(departement="49").values_list("pk", flat=True))
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"territoire": sorted(maine_et_loire) + ["53130"]},
                             raison="test")
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    form = formulaire_champs(encadre_de(uo.niveau, "territoire"), uo)
    assert form.fields["territoire"].choices == [("49", "Maine-et-Loire (49) : tout le département (176 communes)"),
                                                 ("53130", "Laval (53000)")]
    client.force_login(region.referent)
    page = client.get(url(uo, "territoire"), HTTP_HX_REQUEST="true").content.decode()
    assert "Maine-et-Loire (49) : tout le département (176 communes)" in page and "Avrillé" not in page
    cases = re.findall(r'<input type="checkbox" name="territoire" value="(\w+)"[^>]*>', page)
    assert [c for c in cases] == ["49", "53130"] and all("checked" in c for c in re.findall(
        r'<input type="checkbox" name="territoire"[^>]*>', page))  # ticked: saving as is keeps it all
    assert poster(client, region.referent, uo, "territoire", {"version": uo.version, "territoire": ["49"]}).status_code == 302
    uo = Structure.objects.get(pk=region.uo_aj.pk)
    assert set(uo.territoire.values_list("pk", flat=True)) == maine_et_loire  # Laval unticked
    assert poster(client, region.referent, uo, "territoire", {"version": uo.version, "territoire": [],
                                                               "ajouter_communes": "Laval"}).status_code == 302
    assert set(Structure.objects.get(pk=uo.pk).territoire.values_list("pk", flat=True)) == {"53130"}


def test_activites_proposees_selon_le_type_d_unite(client, region):
    from django.core.cache import cache

    from repertoire.forms import activites_habituelles

    cache.clear()
    habituelles = activites_habituelles()
    type_hp = str(region.uo_hp.type_uo_id)
    assert set(region.uo_hp.activites.values_list("pk", flat=True)) <= set(habituelles[type_hp])
    client.force_login(region.referent)
    html = client.get(reverse("repertoire:modifier_encadre", args=[region.uo_hp.pk, "activites"])).content.decode()
    assert "data-activites-habituelles" in html and f'data-type-uo="{type_hp}"' in html


def test_responsable_et_contacts_supplementaires(client, region):
    donnees = {"version": region.uo_hp.version, "responsable-prenom": "Anne", "responsable-nom": "Durand",
               "responsable-titre": "Cadre de santé", "responsable-email": "a.durand@tilleuls.fr",
               "responsable-telephone": "02 41 00 00 10"}
    assert poster(client, region.referent, region.uo_hp, "responsable", donnees).status_code == 302
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    donnees = contacts(uo, **{"contacts-TOTAL_FORMS": "1", "contacts-0-libelle": "Téléphone médical",
                              "contacts-0-telephone": "02 41 00 00 20"})
    assert poster(client, region.referent, uo, "contacts", donnees).status_code == 302
    html = client.get(reverse("repertoire:fiche", args=[uo.pk])).content.decode()
    assert "Anne Durand" in html and "Cadre de santé" in html and "Téléphone médical" in html


def test_j_ai_verifie_mes_donnees(client, region):
    client.force_login(region.referent)
    reponse = client.post(reverse("repertoire:verifier", args=[region.uo_hp.pk]), follow=True)
    assert "Données vérifiées aujourd&#x27;hui" in reponse.content.decode()
    uo = Structure.objects.get(pk=region.uo_hp.pk)
    assert uo.verifie_par == region.referent and uo.date_verification


def test_service_refuse_sans_droit_meme_appele_directement(region):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        encadres.modifier_encadre(region.consultant, region.uo_hp, "contacts", {"telephone": "0600000000"},
                                  version_attendue=region.uo_hp.version)
    assert Structure.objects.get(pk=region.uo_hp.pk).telephone == ""
