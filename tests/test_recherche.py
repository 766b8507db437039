"""Recherche on the small test region: the index follows the offer, the pages answer."""

import csv
import io

import pytest
from django.urls import reverse

from recherche.indexation import reindexer_tout
from recherche.models import UniteIndexee
from repertoire.models import Niveau, Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db

URL = reverse("recherche:recherche")


def noms_trouves(reponse) -> list[str]:
    return [ligne.eg.nom for ligne in reponse.context["lignes"]]


def test_anonyme_renvoye_vers_la_connexion(client, region):
    reponse = client.get(URL, {"quoi": "reanimation"})
    assert reponse.status_code == 302 and reponse.url.startswith("/connexion/")


def test_accents_casse_pluriel_et_faute_de_frappe(connecte):
    for saisie in ["réanimation", "Reanimations", "RÉANIMATION", "reanimaton"]:
        reponse = connecte.get(URL, {"quoi": saisie})
        assert noms_trouves(reponse) == ["CH CHOLET"], saisie
    reponse = connecte.get(URL, {"quoi": "reanimaton"})
    assert "« réanimation » au lieu de « reanimaton »".replace("réanimation", "reanimation") in reponse.content.decode()


def test_tri_par_distance_depuis_une_commune(connecte, region):
    reponse = connecte.get(URL, {"ou": "Angers", "rayon": "100"})
    lignes = reponse.context["lignes"]
    assert [ligne.eg.nom for ligne in lignes] == ["EHPAD LES TILLEULS", "CH CHOLET"]
    assert lignes[0].distance_km < 1 < 40 < lignes[1].distance_km < 60
    # 20 km around Angers: Cholet is too far
    assert noms_trouves(connecte.get(URL, {"ou": "49000"})) == ["EHPAD LES TILLEULS"]


def test_une_ligne_par_etablissement_avec_ses_unites(connecte):
    reponse = connecte.get(URL, {"quoi": "EHPAD"})
    (ligne,) = reponse.context["lignes"]
    assert {u.nom for u in ligne.uos} == {"Hébergement permanent", "Accueil de jour"}
    html = reponse.content.decode()
    assert "2 unités correspondantes" in html and "02 41 00 00 00" in html
    assert 'title="Patientèle : Personnes âgées"' in html


def test_l_index_suit_les_ecritures_du_repertoire(connecte, region, django_capture_on_commit_callbacks):
    # Each write commits (callbacks executed): the index follows what repertoire announces.
    # a new unit is found at once
    with django_capture_on_commit_callbacks(execute=True):
        offre.creer_structure(region.gestionnaire, Niveau.UO, region.ch, nom="Réanimation pédiatrique",
                              discipline="MCO", age_min=0, age_max=17, m2m={"activites": [concept("J17", "130")]})
    reponse = connecte.get(URL, {"quoi": "réanimation pédiatrique"})
    assert [u.nom for u in reponse.context["lignes"][0].uos] == ["Réanimation pédiatrique"]
    # an activity added later is searchable
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_aj, {},
                                 m2m={"specialisations": [concept("J35", "28")]}, raison="test")
    assert noms_trouves(connecte.get(URL, {"quoi": "alzheimer"})) == ["EHPAD LES TILLEULS"]
    # a closed unit leaves the default results, and comes back with its badge on demand
    with django_capture_on_commit_callbacks(execute=True):
        offre.fermer_structure(region.gestionnaire, region.uo_rea, raison="travaux")
    reponse = connecte.get(URL, {"quoi": "réanimation adulte"})
    assert noms_trouves(reponse) == []
    reponse = connecte.get(URL, {"quoi": "réanimation adulte", "fermees": "on"})
    assert noms_trouves(reponse) == ["CH CHOLET"] and "Fermé" in reponse.content.decode()
    # renaming the establishment reaches its units' rows
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.ch, {"nom": "CH DES MAUGES"}, raison="test")
    assert UniteIndexee.objects.get(uo=region.uo_rea).nom_eg == "CH DES MAUGES"
    # a deleted unit leaves the index
    with django_capture_on_commit_callbacks(execute=True):
        offre.supprimer_structure(region.gestionnaire, region.uo_aj, raison="test")
    assert not UniteIndexee.objects.filter(uo=region.uo_aj).exists()


def test_l_index_change_apres_la_validation_seulement(region, django_capture_on_commit_callbacks):
    """Only what a service announces reaches the index, once its transaction commits."""
    with django_capture_on_commit_callbacks(execute=False) as annonces:
        offre.modifier_structure(region.gestionnaire, region.ch, {"nom": "CH DES MAUGES"}, raison="test")
        region.uo_rea.nom = "Écrit sans le service"
        region.uo_rea.save()  # no announcement: a save() alone is not a write of the offer
    assert UniteIndexee.objects.get(uo=region.uo_rea).nom_eg == "CH CHOLET"
    assert len(annonces) == 1
    annonces[0]()
    assert UniteIndexee.objects.get(uo=region.uo_rea).nom_eg == "CH DES MAUGES"


def test_filtres_et_comptes(connecte, region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_hp, {"habilitation_aide_sociale": True},
                                 m2m={"publics": [concept("J29", "01")]}, raison="test")
    reponse = connecte.get(URL, {"ou": "", "age": "30"})
    assert noms_trouves(reponse) == ["CH CHOLET"]  # the EHPAD takes people from 60
    reponse = connecte.get(URL, {"discipline": "MSS"})
    assert noms_trouves(reponse) == ["EHPAD LES TILLEULS"]
    reponse = connecte.get(URL, {"public": "01"})
    assert [u.nom for u in reponse.context["lignes"][0].uos] == ["Hébergement permanent"]
    reponse = connecte.get(URL, {"aide_sociale": "on"})
    assert [u.nom for u in reponse.context["lignes"][0].uos] == ["Hébergement permanent"]
    # facet counts next to each choice
    form = connecte.get(URL, {"quoi": ""}).context["form"]
    assert ("MSS", "Médico-social et social (MSS) (1)") in form.fields["discipline"].choices
    assert ("MCO", "Médecine, chirurgie, obstétrique (MCO) (1)") in form.fields["discipline"].choices
    assert form.fields["aide_sociale"].label.endswith("(1)")


def test_intervient_dans_la_commune(connecte, region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.uo_aj, {}, m2m={"territoire": ["49099"]},
                                 raison="test")
    reponse = connecte.get(URL, {"ou": "Cholet", "intervient": "on"})
    assert [u.nom for ligne in reponse.context["lignes"] for u in ligne.uos] == ["Accueil de jour"]


def test_saisies_invalides_messages_clairs_sans_erreur(connecte):
    reponse = connecte.get(URL, {"age": "deux", "ou": "Xyzzyville", "rayon": "7", "page": "0", "lieu": "eg:abc"})
    assert reponse.status_code == 200
    html = reponse.content.decode()
    assert "Indiquez un âge en années" in html and "Lieu introuvable" in html
    assert "lignes" not in reponse.context
    reponse = connecte.get(URL, {"intervient": "on"})
    assert "Choisissez une commune" in reponse.content.decode()
    reponse = connecte.get(URL, {"quoi": "zzzzzz"})
    assert noms_trouves(reponse) == [] and "Aucun libellé ni nom ne contient « zzzzzz »" in reponse.content.decode()


def test_autocompletion(connecte, region):
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "angers"}).json()["resultats"]
    assert lieux[0] == {"valeur": "commune:49007", "libelle": "Angers (49000)", "genre": "Commune"}
    # "Ange" is exactly Angé (41), outside the région: the région's Angers comes first.
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "Ange"}).json()["resultats"]
    assert lieux[0]["libelle"] == "Angers (49000)" and "Angé (41400)" in [l["libelle"] for l in lieux]
    # ... but a city named exactly stays first: Rennes (35) before Rennes-en-Grenouilles (53).
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "Rennes"}).json()["resultats"]
    assert lieux[0]["libelle"].startswith("Rennes (35")
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "49300"}).json()["resultats"]
    assert lieux[0]["valeur"] == "commune:49099"
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "tilleuls"}).json()["resultats"]
    assert {"valeur": f"eg:{region.ehpad.pk}", "libelle": "EHPAD LES TILLEULS 49000", "genre": "Établissement"} in lieux
    lieux = connecte.get(reverse("recherche:autocompletion_lieux"), {"q": "loire atl"}).json()["resultats"]
    assert lieux[0]["valeur"] == "departement:44"
    libelles = connecte.get(reverse("recherche:autocompletion_libelles"), {"q": "reanimation ped"}).json()
    assert libelles["resultats"][0] == {"libelle": "Réanimation spécialisée pédiatrique", "genre": "Activité"}


def test_choisir_un_etablissement_comme_lieu(connecte, region):
    reponse = connecte.get(URL, {"ou": "CH CHOLET", "lieu": f"eg:{region.ch.pk}", "rayon": "5"})
    assert noms_trouves(reponse) == ["CH CHOLET"]


def test_carte_donnees_compactes_et_liste_du_lieu(connecte, region):
    donnees = connecte.get(reverse("recherche:carte_donnees"), {"ou": "Angers", "rayon": "100"}).json()
    assert sorted(donnees["points"]) == sorted([[region.ehpad.pk, 47.47, -0.55, 2, "EHPAD LES TILLEULS"],
                                                [region.ch.pk, 47.06, -0.88, 1, "CH CHOLET"]])
    assert donnees["rayon_km"] == 100
    html = connecte.get(reverse("recherche:carte_lieu", kwargs={"pk": region.ehpad.pk}), {"quoi": "accueil de jour"}).content
    assert "Accueil de jour" in html.decode() and "Hébergement permanent" not in html.decode()


def test_resultat_precedent_suivant_et_retour(connecte, region):
    params = {"ou": "Angers", "rayon": "100"}
    reponse = connecte.get(reverse("recherche:resultat", kwargs={"pk": region.uo_hp.pk}), {**params, "page": "1"})
    ordre = [u.pk for ligne in connecte.get(URL, params).context["lignes"] for u in ligne.uos]
    assert ordre[0] in (region.uo_hp.pk, region.uo_aj.pk) and ordre[-1] == region.uo_rea.pk
    html = reponse.content.decode()
    assert "EHPAD LES TILLEULS" in html and "ASSOCIATION LES TILLEULS" in html  # parent fiches
    i = ordre.index(region.uo_hp.pk)
    if i + 1 < len(ordre):
        assert reverse("recherche:resultat", kwargs={"pk": ordre[i + 1]}) in reponse.context["suivant"]
    assert reponse.context["retour"].startswith(URL + "?") and "page=1" in reponse.context["retour"]
    assert "ou=Angers" in reponse.context["retour"] and "rayon=100" in reponse.context["retour"]


def test_export_csv(connecte, region):
    reponse = connecte.get(reverse("recherche:export_csv"), {"ou": "Angers", "rayon": "100"})
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:3] == ["Établissement", "FINESS ET", "Unité opérationnelle"]
    assert {(ligne[0], ligne[2]) for ligne in lignes[1:]} == {
        ("EHPAD LES TILLEULS", "Hébergement permanent"), ("EHPAD LES TILLEULS", "Accueil de jour"),
        ("CH CHOLET", "Réanimation adulte")}


def test_l_adresse_avec_son_type_de_voie_partout_dans_la_recherche(connecte, region):
    """Results, map popup, a result's page and the CSV write "12 Avenue Jean Jaurès" as people do."""
    Structure.objects.filter(pk=region.ch.pk).update(numero_voie="12", type_voie=concept("J219", "AV"),
                                                     voie="Jean Jaurès")
    params = {"ou": "Angers", "rayon": "100"}
    assert "12 Avenue Jean Jaurès" in connecte.get(URL, params).content.decode()
    popup = connecte.get(reverse("recherche:carte_lieu", kwargs={"pk": region.ch.pk}), params).content.decode()
    assert "12 Avenue Jean Jaurès" in popup
    fiche = connecte.get(reverse("recherche:resultat", kwargs={"pk": region.uo_rea.pk}), params).content.decode()
    assert "12 Avenue Jean Jaurès" in fiche
    reponse = connecte.get(reverse("recherche:export_csv"), params)
    lignes = list(csv.reader(io.StringIO(reponse.getvalue().decode("utf-8-sig")), delimiter=";"))
    adresse = lignes[0].index("Adresse")
    assert [ligne[adresse] for ligne in lignes[1:] if ligne[0] == "CH CHOLET"] == ["12 Avenue Jean Jaurès, 49300 Cholet"]


def test_reindexation_complete(region):
    UniteIndexee.objects.all().delete()
    assert reindexer_tout() == 3
    assert UniteIndexee.objects.count() == 3


def test_une_ecriture_hors_index_ne_reecrit_pas_ses_lignes(region, django_capture_on_commit_callbacks):
    """Reindexing rewrites only the rows whose values change (a comment is not in the index):
    a publication touching thousands of fiches does not rewrite thousands of unchanged rows."""
    from django.db import connection

    def version_de_ligne():
        with connection.cursor() as cursor:
            cursor.execute("SELECT xmin::text FROM recherche_uniteindexee WHERE uo_id = %s", [region.uo_rea.pk])
            return cursor.fetchone()[0]

    avant = version_de_ligne()
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.ch, {"commentaire": "Revu"}, raison="test")
    assert version_de_ligne() == avant
    with django_capture_on_commit_callbacks(execute=True):
        offre.modifier_structure(region.gestionnaire, region.ch, {"nom": "CH DES MAUGES"}, raison="test")
    assert version_de_ligne() != avant and UniteIndexee.objects.get(uo=region.uo_rea).nom_eg == "CH DES MAUGES"


def test_reindexer_une_unite_apprend_les_mots_de_son_etablissement(region):
    from recherche.indexation import reindexer_uo
    from recherche.models import Mot

    Structure.objects.filter(pk=region.ch.pk).update(nom="CH VIHIERSOIS")  # not announced
    assert not Mot.objects.filter(mot="vihiersois").exists()
    reindexer_uo([region.uo_rea.pk])
    assert Mot.objects.filter(mot="vihiersois").exists()
    assert UniteIndexee.objects.get(uo=region.uo_rea).nom_eg == "CH VIHIERSOIS"
