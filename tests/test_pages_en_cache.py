"""Pages cached under the version of the offer (repertoire.version): a fiche's offer parts, a
search's results, a FHIR search page. A change made through a service shows on the next page,
in the writer's own transaction as after its commit; what depends on the reader (rights,
favourites, what a FHIR consumer may see) is never served from another reader's page."""

import pytest
from django.urls import reverse

from repertoire.models import PorteeJeton, ProfilAcces
from repertoire.services import favoris, jetons_api, offre
from repertoire.version import version_offre
from tests.test_interop_fhir import donner_des_offres

pytestmark = pytest.mark.django_db


def fiche(client, user, structure) -> str:
    client.force_login(user)
    reponse = client.get(reverse("repertoire:fiche", args=[structure.pk]))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_un_service_change_la_version_de_l_offre_maintenant_et_apres_validation(
        region, django_capture_on_commit_callbacks):
    avant = version_offre()
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_rea, {"telephone": "02 41 99 99 99"}, raison="test")
        pendant = version_offre()
    assert avant < pendant < version_offre()


def test_une_fiche_montre_la_modification_faite_par_un_service(client, region, django_capture_on_commit_callbacks):
    assert "02 41 99 99 99" not in fiche(client, region.consultant, region.uo_rea)
    assert "02 41 99 99 99" not in fiche(client, region.consultant, region.uo_rea)  # read from the cache
    # in the writer's transaction (its next page), as once committed
    offre.modifier_structure(region.gestionnaire, region.uo_rea, {"telephone": "02 41 99 99 99"}, raison="test")
    assert "02 41 99 99 99" in fiche(client, region.consultant, region.uo_rea)
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_rea, {"nom": "Réanimation polyvalente"},
                                 raison="test")
    html = fiche(client, region.consultant, region.uo_rea)
    assert "Réanimation polyvalente" in html
    # the parent's list of units, and a unit created or closed below it
    assert "Réanimation polyvalente" in fiche(client, region.consultant, region.ch)
    offre.creer_structure(region.gestionnaire, "UO", region.ch, nom="Soins continus", discipline="MCO")
    offre.fermer_structure(region.gestionnaire, region.uo_rea, raison="travaux")
    html = fiche(client, region.consultant, region.ch)
    assert "Soins continus" in html and "fr-badge--error" in html


def test_le_statut_d_une_fiche_se_montre_des_qu_il_change(client, region):
    fiche(client, region.consultant, region.uo_hp)
    offre.marquer_statut_fiche([region.uo_hp], "modification")
    assert "Fiche en cours de modification".lower() in fiche(client, region.consultant, region.uo_hp).lower()


def test_ce_qui_depend_du_lecteur_n_est_pas_celui_d_un_autre(client, region):
    # the referent of the EHPAD may modify its unit: its page has the buttons…
    html = fiche(client, region.referent, region.uo_hp)
    assert "data-modifier" in html and "vérifié mes données" in html
    # …the consultant's next page of the same fiche (same version) has none
    html = fiche(client, region.consultant, region.uo_hp)
    assert "data-modifier" not in html and "vérifié mes données" not in html
    assert "Ajouter aux favoris" in html
    favoris.ajouter_favori(region.consultant, region.uo_hp)  # not the offer: its version stays
    assert "Retirer des favoris" in fiche(client, region.consultant, region.uo_hp)
    assert "Ajouter aux favoris" in fiche(client, region.referent, region.uo_hp)


def test_la_verification_se_lit_au_jour_du_lecteur(client, region, django_capture_on_commit_callbacks):
    from repertoire.services import encadres

    assert "Données jamais vérifiées" in fiche(client, region.referent, region.uo_hp)
    with django_capture_on_commit_callbacks(execute=True):
        encadres.confirmer_verification(region.referent, region.uo_hp)
    assert "Données vérifiées aujourd&#x27;hui" in fiche(client, region.consultant, region.uo_hp)


def test_une_recherche_montre_la_modification_faite_par_un_service(client, region,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(region.consultant)
    url = reverse("recherche:recherche")
    assert "CH CHOLET" in client.get(url, {"quoi": "réanimation"}).content.decode()
    assert "CH CHOLET" in client.get(url, {"quoi": "réanimation"}).content.decode()  # from the cache
    with django_capture_on_commit_callbacks(execute=True):  # committed: the index follows, then the version
        offre.modifier_structure(region.gestionnaire, region.ch, {"nom": "CH DES MAUGES"}, raison="test")
    html = client.get(url, {"quoi": "réanimation"}).content.decode()
    assert "CH DES MAUGES" in html and "CH CHOLET" not in html
    with django_capture_on_commit_callbacks(execute=True):
        offre.fermer_structure(region.gestionnaire, region.uo_rea, raison="travaux")
    assert "CH DES MAUGES" not in client.get(url, {"quoi": "réanimation"}).content.decode()


def _api(client, region, profil):
    _, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, f"Profil {profil}", profil_acces=profil)
    return {"HTTP_AUTHORIZATION": f"Bearer {clair}"}


def test_une_page_fhir_montre_la_modification_faite_par_un_service(client, region,
                                                                   django_capture_on_commit_callbacks):
    donner_des_offres(region)
    jeton = _api(client, region, ProfilAcces.LIBRE)
    url = "/fhir/HealthcareService?_count=20"
    premiere = client.get(url, **jeton).json()
    assert "Réanimation adulte" in str(premiere)
    assert client.get(url, **jeton).json()["entry"] == premiere["entry"]  # from the cache
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_rea, {"nom": "Réanimation polyvalente"},
                                 raison="test")
    page = str(client.get(url, **jeton).json())
    assert "Réanimation polyvalente" in page and "Réanimation adulte" not in page


def test_une_page_fhir_d_un_profil_n_est_jamais_servie_a_un_autre(client, region,
                                                                  django_capture_on_commit_callbacks):
    donner_des_offres(region)
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_aj, {"unite_sensible": True, "nom": "Refuge discret"},
                                 raison="test")
    url = "/fhir/HealthcareService?_count=20"
    assert "Refuge discret" in client.get(url, **_api(client, region, ProfilAcces.TOUT)).content.decode()
    for profil in (ProfilAcces.LIBRE, ProfilAcces.HORS_TRES_RESTREINT, None):
        page = client.get(url, **_api(client, region, profil)).content.decode()
        assert "Refuge discret" not in page and "Réanimation adulte" in page, profil


def test_un_rechargement_des_referentiels_change_la_version(django_capture_on_commit_callbacks):
    from nomenclatures.loader import charger

    avant = version_offre()
    with django_capture_on_commit_callbacks(execute=True):
        charger([])  # labels reloaded: cached pages are read anew
    assert version_offre() > avant
