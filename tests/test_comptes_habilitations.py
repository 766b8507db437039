"""Habilitations (gestionnaire, directeur), CGU at first login and on a new version, Mon compte."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from repertoire import access
from repertoire.services.favoris import ajouter_favori
from comptes.models import AcceptationCGU
from socle.models import JournalAudit
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db
User = get_user_model()


def _recharger(user):
    return User.objects.get(pk=user.pk)


def test_le_gestionnaire_cherche_un_compte_sans_mettre_le_nom_dans_l_url(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post("/compte/gestion/utilisateurs/", {"q": "referent_autre"})
    page = reponse.content.decode()
    assert reponse.status_code == 200
    assert f"/compte/gestion/utilisateurs/{region.referent_autre.pk}/" in page
    assert f"/compte/gestion/utilisateurs/{region.consultant.pk}/" not in page
    assert "jamais" in page  # last login shown


def test_le_gestionnaire_donne_puis_retire_un_droit_sur_un_eg(client, region):
    client.force_login(region.gestionnaire)
    url = f"/compte/gestion/utilisateurs/{region.consultant.pk}/"
    client.post(url + "droits/ajouter/", {"droit": "referent", "structure_recherche": region.ch.finess})
    consultant = _recharger(region.consultant)
    assert access.peut(consultant, access.MODIFIER, region.uo_rea)  # valid below the EG
    assert not access.peut(consultant, access.MODIFIER, region.uo_hp)
    assert consultant.groups.filter(name=access.GROUPE_REFERENT).exists()
    assert "CH CHOLET" in client.get(url).content.decode()
    # the level reads under the name (three columns: the Retirer button fits a phone)
    assert ('CH CHOLET <span class="fr-hint-text">Entité géographique — FINESS 490000049</span>'
            in client.get(url).content.decode())

    client.post(url + "droits/retirer/", {"droit": "referent", "structure": region.ch.pk})
    assert not access.peut(_recharger(region.consultant), access.MODIFIER, region.uo_rea)
    assert list(JournalAudit.objects.filter(cible=f"user:{region.consultant.pk}").values_list("action", flat=True)
                .order_by("quand")) == ["droit_accorde", "droit_retire"]


def test_retirer_un_droit_mal_designe_ne_change_rien(client, region):
    client.force_login(region.gestionnaire)
    url = f"/compte/gestion/utilisateurs/{region.referent.pk}/droits/retirer/"
    assert client.post(url, {"droit": "referent", "structure": "abc"}).status_code == 404
    inconnu = client.post(url, {"droit": "pape", "structure": region.ehpad.pk}, follow=True)
    assert "Droit inconnu" in inconnu.content.decode()
    assert access.peut(_recharger(region.referent), access.MODIFIER, region.uo_hp)


def test_un_droit_ne_se_donne_pas_sur_une_unite(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(f"/compte/gestion/utilisateurs/{region.consultant.pk}/droits/ajouter/",
                          {"droit": "referent", "structure": region.uo_hp.pk, "structure_recherche": "x"})
    assert reponse.status_code == 200 and "Sélectionnez un choix valide" in reponse.content.decode()
    assert not access.peut(_recharger(region.consultant), access.MODIFIER, region.uo_hp)


def test_le_gestionnaire_change_les_roles(client, region):
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/utilisateurs/{region.consultant.pk}/roles/",
                {"groupes": [access.GROUPE_GESTIONNAIRE]})
    assert access.est_gestionnaire(_recharger(region.consultant))
    refuse = client.post(f"/compte/gestion/utilisateurs/{region.referent.pk}/roles/", {"groupes": ["Pape"]}, follow=True)
    assert "Rôle inconnu" in refuse.content.decode()
    assert list(_recharger(region.referent).groups.values_list("name", flat=True)) == [access.GROUPE_REFERENT]


def test_le_directeur_nomme_un_referent_de_sa_structure(client, region):
    client.force_login(region.directeur)
    assert f"/compte/structures/{region.ej.pk}/referents/" in client.get("/compte/").content.decode()
    client.post(f"/compte/structures/{region.ehpad.pk}/referents/", {"email": region.consultant.email})
    assert access.peut(_recharger(region.consultant), access.MODIFIER, region.uo_aj)
    page = client.get(f"/compte/structures/{region.ehpad.pk}/referents/").content.decode()
    assert str(region.consultant) in page and str(region.referent) in page

    client.post(f"/compte/structures/{region.ehpad.pk}/referents/{region.consultant.pk}/retirer/")
    assert not access.peut(_recharger(region.consultant), access.MODIFIER, region.uo_aj)


def test_le_directeur_ne_nomme_personne_ailleurs_ni_un_compte_inconnu(client, region):
    client.force_login(region.directeur)
    assert client.post(f"/compte/structures/{region.ch.pk}/referents/",
                       {"email": region.consultant.email}).status_code == 403
    reponse = client.post(f"/compte/structures/{region.ehpad.pk}/referents/", {"email": "qui@nulle-part.fr"})
    assert "faire une demande d'accès" in html.unescape(reponse.content.decode())
    assert not access.peut(_recharger(region.consultant), access.MODIFIER, region.uo_rea)


def test_le_referent_ne_nomme_pas_de_referent(client, region):
    client.force_login(region.referent)
    assert client.get(f"/compte/structures/{region.ehpad.pk}/referents/").status_code == 403


# -- CGU --------------------------------------------------------------------------

def test_premiere_connexion_demande_les_cgu_puis_les_memorise(client, region, settings):
    settings.ROR_CGU_VERSION = "2026-1"
    client.post("/connexion/", {"username": "referent", "password": MOT_DE_PASSE})
    reponse = client.get("/compte/gestion/demandes/?x=1")
    assert reponse.status_code == 302 and reponse["Location"].startswith("/compte/cgu/?next=")
    assert "version 2026-1" in client.get(reponse["Location"]).content.decode()

    refus = client.post("/compte/cgu/", {"next": "/compte/"})
    assert refus.status_code == 200 and "Cochez la case" in refus.content.decode()
    assert not _recharger(region.referent).cgu_version

    accepte = client.post("/compte/cgu/", {"accepte": "on", "next": "/compte/"})
    assert accepte["Location"] == "/compte/"
    referent = _recharger(region.referent)
    assert referent.cgu_version == "2026-1" and referent.cgu_acceptees_le is not None
    assert AcceptationCGU.objects.filter(user=referent, version="2026-1").exists()
    assert client.get("/compte/").status_code == 200


def test_une_nouvelle_version_des_cgu_est_demandee_a_nouveau(client, region, settings):
    settings.ROR_CGU_VERSION = "2026-1"
    client.force_login(region.referent)
    client.post("/compte/cgu/", {"accepte": "on"})
    settings.ROR_CGU_VERSION = "2027-1"
    reponse = client.get("/compte/")
    assert reponse.status_code == 302 and reponse["Location"].startswith("/compte/cgu/")
    page = client.get("/compte/cgu/").content.decode()
    assert "ont changé depuis la version 2026-1" in page


def test_la_suite_apres_les_cgu_reste_sur_le_portail(client, region, settings):
    settings.ROR_CGU_VERSION = "2026-1"
    client.force_login(region.referent)
    reponse = client.post("/compte/cgu/", {"accepte": "on", "next": "https://ailleurs.example/piege"})
    assert reponse["Location"] == "/compte/"


# -- Mon compte -------------------------------------------------------------------

def test_mon_compte_montre_mes_structures_et_mes_droits(client, region):
    client.force_login(region.referent)
    page = client.get("/compte/").content.decode()
    assert "EHPAD LES TILLEULS" in page and "Référent structure" in page
    assert "CH CHOLET" not in page


def test_mon_compte_liste_mes_favoris_vers_leur_fiche(client, region):
    ajouter_favori(region.referent, region.ch)
    client.force_login(region.referent)
    page = client.get("/compte/").content.decode()
    assert f'<a href="{reverse("repertoire:fiche", args=[region.ch.pk])}">CH CHOLET</a>' in page


def test_changer_mon_adresse_exige_mon_mot_de_passe(client, region):
    client.force_login(region.referent)
    faux = client.post("/compte/adresse/", {"email": "nouvelle@exemple.fr", "mot_de_passe": "faux"})
    assert "Mot de passe incorrect" in faux.content.decode()
    prise = client.post("/compte/adresse/", {"email": region.consultant.email, "mot_de_passe": MOT_DE_PASSE})
    assert "déjà utilisée" in prise.content.decode()
    client.post("/compte/adresse/", {"email": "Nouvelle@Exemple.fr", "mot_de_passe": MOT_DE_PASSE})
    # effective only once the link sent to the new address is followed (tests/test_comptes_confirmations.py)
    assert _recharger(region.referent).email == region.referent.email


def test_changer_mon_mot_de_passe(client, region):
    client.force_login(region.referent)
    nouveau = "Un-mot-de-passe-solide-49"
    reponse = client.post("/compte/mot-de-passe/", {"old_password": MOT_DE_PASSE, "new_password1": nouveau,
                                                    "new_password2": nouveau})
    assert reponse["Location"] == "/compte/"
    assert _recharger(region.referent).check_password(nouveau)
    assert client.get("/compte/").status_code == 200  # still logged in


def test_la_demo_ajoute_une_demande_en_attente_une_seule_fois(region):
    import io

    from demo.comptes import peupler_demo
    from comptes.models import DemandeAcces

    peupler_demo(io.StringIO())
    peupler_demo(io.StringIO())
    demande = DemandeAcces.objects.get()
    assert (demande.statut, demande.structure) == ("en_attente", region.ehpad)
