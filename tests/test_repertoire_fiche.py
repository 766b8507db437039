"""Reading fiches: every level, every encadré, breadcrumb, children, Fermé, patientèle, verification, map."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from repertoire.models import Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def lire(client, user, structure):
    client.force_login(user)
    reponse = client.get(reverse("repertoire:fiche", args=[structure.pk]))
    assert reponse.status_code == 200
    return reponse.content.decode()


def test_fiche_uo_montre_tous_ses_encadres_avec_libelles(client, region):
    html = lire(client, region.consultant, region.uo_rea)
    for titre in ["Identification", "Adresse", "Contacts", "Patientèle", "Activités opérationnelles",
                  "Actes spécifiques", "Équipements spécifiques", "Spécialisations et compétences",
                  "Modalités d&#x27;accès et d&#x27;accueil", "Capacité", "Planning", "Territoire d&#x27;intervention",
                  "Responsable"]:
        assert titre in html, titre
    assert concept("J17", "127").libelle in html  # label of the activity, not its code
    assert "Réanimation adulte" in html
    # breadcrumb: EJ then EG
    assert "CENTRE HOSPITALIER DE CHOLET" in html and "CH CHOLET" in html
    assert "12" in html  # lits installés


def test_fiche_uo_fermee_patientele_et_verification(client, region):
    offre.fermer_structure(region.gestionnaire, region.uo_aj, raison="Fermeture")
    Structure.objects.filter(pk=region.uo_aj.pk).update(date_verification=timezone.now() - timedelta(days=95))
    html = lire(client, region.consultant, region.uo_aj)
    assert "data-ferme" in html and "Fermé" in html
    assert "PA = Personnes âgées (60 – 120 ans)" in html
    assert "vérifiées il y a 3 mois" in html


def test_fiches_eg_et_ej_listent_leurs_enfants_avec_comptes(client, region):
    html = lire(client, region.consultant, region.ehpad)
    assert "Hébergement permanent" in html and "Accueil de jour" in html
    assert "Direction" in html
    html = lire(client, region.consultant, region.ej)
    assert "EHPAD LES TILLEULS" in html and "2 UO" in html


def test_l_adresse_s_ecrit_avec_son_type_de_voie(client, region):
    Structure.objects.filter(pk=region.ehpad.pk).update(numero_voie="", type_voie=concept("J219", "PL"),
                                                        voie="du Marché")
    html = lire(client, region.consultant, region.ehpad)
    assert "Place du Marché" in html and "place du Marché" not in html
    # a unit without its own address shows its establishment's
    assert "Place du Marché" in lire(client, region.consultant, region.uo_hp)


def test_la_carte_a_la_position_de_la_structure_sans_tuiles(client, region, settings):
    html = lire(client, region.consultant, region.ehpad)
    assert 'data-lat="47.470000"' in html and 'data-lon="-0.550000"' in html
    assert "leaflet/leaflet.js" in html


def test_fiche_sans_requetes_en_rafale(client, region):
    """The number of queries of a fiche does not grow with its lists (no N+1)."""
    client.force_login(region.consultant)
    url = reverse("repertoire:fiche", args=[region.uo_rea.pk])
    client.get(url)
    cache.clear()  # the fiche as read without its cached parts (repertoire.version)
    with CaptureQueriesContext(connection) as avant:
        client.get(url)
    offre.modifier_structure(region.gestionnaire, region.uo_rea, {}, raison="test", m2m={
        "activites": [concept("J17", c) for c in ("127", "293", "294")],
        "actes": list(Structure._meta.get_field("actes").related_model.objects.filter(nomenclature__cle="J16")[:20])})
    cache.clear()
    with CaptureQueriesContext(connection) as apres:
        client.get(url)
    assert len(apres) == len(avant)


def test_un_visiteur_anonyme_est_renvoye_a_la_connexion(client, region):
    reponse = client.get(reverse("repertoire:fiche", args=[region.uo_rea.pk]))
    assert reponse.status_code == 302 and "/connexion/" in reponse["Location"]


def test_la_fiche_d_une_uo_n_a_pas_d_encadre_d_unites_rattachees(client, region):
    assert 'id="titre-enfants"' not in lire(client, region.consultant, region.uo_hp)
    page = lire(client, region.consultant, region.ehpad)
    assert 'id="titre-enfants">Unités rattachées (2)</h2>' in page


def test_un_territoire_d_un_departement_entier_se_lit_en_une_ligne_sur_la_fiche(client, region):
    """A unit covering Maine-et-Loire and Laval: the fiche says « Maine-et-Loire (49) : tout le
    département » and Laval, not 177 communes (the phone page was 11,000 px tall); a long rest of
    communes is behind « N communes »."""
    from nomenclatures.models import Commune

    maine_et_loire = list(Commune.objects.filter(departement="49").values_list("pk", flat=True))
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"territoire": maine_et_loire + ["53130"]}, raison="test")
    client.force_login(region.consultant)
    page = client.get(reverse("repertoire:fiche", args=[region.uo_aj.pk])).content.decode()
    assert "<li>Maine-et-Loire (49) : tout le département</li>" in page and "<li>Laval (53000)</li>" in page
    assert "Avrillé" not in page
    mayenne = list(Commune.objects.filter(departement="53").values_list("pk", flat=True))[:12]
    offre.modifier_structure(None, region.uo_aj, {}, m2m={"territoire": mayenne}, raison="test")
    page = client.get(reverse("repertoire:fiche", args=[region.uo_aj.pk])).content.decode()
    assert '<details class="ror-territoire"><summary>12 communes</summary>' in page
