"""Foundation: settings, database features, the tree rules, history, rights, Celery."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from repertoire import access
from repertoire.models import Niveau, Structure
from repertoire.services import offre
from tests.factories import concept

pytestmark = pytest.mark.django_db


def test_postgresql_avec_les_extensions_de_la_recherche():
    assert connection.vendor == "postgresql"
    with connection.cursor() as c:
        c.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in c.fetchall()}
        assert {"pg_trgm", "unaccent", "cube", "earthdistance"} <= extensions
        c.execute("SELECT to_tsvector('french_unaccent', 'Réanimations pédiatriques') @@ "
                  "plainto_tsquery('french_unaccent', 'reanimation pediatrique')")
        assert c.fetchone()[0] is True
        c.execute("SELECT earth_distance(ll_to_earth(47.47, -0.55), ll_to_earth(47.06, -0.88)) / 1000")
        assert 45 < c.fetchone()[0] < 60  # Angers – Cholet


def test_reglages_francais():
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_une_uo_ne_se_place_jamais_directement_sous_une_ej(region):
    with pytest.raises(ValidationError):
        offre.creer_structure(region.gestionnaire, Niveau.UO, region.ej, nom="UO orpheline")
    assert not Structure.objects.filter(nom="UO orpheline").exists()


def test_une_eg_se_place_sous_une_ej(region):
    with pytest.raises(ValidationError):
        offre.creer_structure(region.gestionnaire, Niveau.EG, region.ehpad, nom="EG sous EG")
    assert region.uo_hp.eg_id == region.ehpad.pk and region.uo_hp.ej_id == region.ej.pk


def test_les_codes_hors_jeu_de_valeurs_sont_refuses(region):
    region.ehpad.categorie = concept("J34", "21")  # a J34 code where J55 is expected
    with pytest.raises(ValidationError):
        region.ehpad.full_clean()


def test_historique_garde_utilisateur_ancienne_et_nouvelle_valeur(region):
    uo = region.uo_hp
    uo.telephone = "02 41 11 22 33"
    offre.enregistrer(uo, region.referent, "Contacts",
                      m2m={"activites": [concept("J17", "293"), concept("J17", "294")]})
    dernier = uo.history.all()[0]
    assert dernier.history_user == region.referent
    assert dernier.history_change_reason == "Contacts"
    # the record keeps what this write changed: the value before, the list before and after
    assert dernier.changements["champs"] == {"telephone": ""} and dernier.telephone == "02 41 11 22 33"
    anciens, nouveaux = dernier.changements["listes"]["activites"]
    assert set(nouveaux) - set(anciens) == {concept("J17", "294").pk}
    assert set(dernier.changements["listes"]) == {"activites"}  # the unchanged lists are not copied


def test_un_referent_n_agit_pas_sur_une_autre_structure(region):
    assert access.peut(region.referent, access.MODIFIER, region.uo_hp)  # below its EG
    assert not access.peut(region.referent, access.MODIFIER, region.ch)
    assert not access.peut(region.referent, access.MODIFIER, region.uo_rea)
    assert not access.peut(region.referent, access.VALIDER_DOSSIER, region.ehpad)
    modifiables = set(access.structures_autorisees(region.referent, access.MODIFIER).values_list("pk", flat=True))
    assert modifiables == {region.ehpad.pk, region.uo_hp.pk, region.uo_aj.pk}


def test_droits_du_directeur_et_du_gestionnaire(region):
    assert access.peut(region.directeur, access.VALIDER_DOSSIER, region.uo_aj)  # granted on the EJ
    assert not access.peut(region.directeur, access.MODIFIER, region.ej)  # EJ data: gestionnaire only
    assert access.peut(region.gestionnaire, access.MODIFIER, region.ej)
    assert not access.peut(region.consultant, access.MODIFIER, region.uo_hp)
    assert access.peut(region.consultant, access.LIRE, region.uo_hp)


def test_page_d_accueil_affiche_les_chiffres(client, region):
    reponse = client.get("/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert 'id="chiffre-eg">2<' in contenu and 'id="chiffre-uo">3<' in contenu


def test_une_tache_celery_passe_par_un_vrai_worker(celery_worker):
    from socle.tasks import ping

    resultat = ping.delay("bonjour").get(timeout=30)
    assert resultat["message"] == "bonjour"
    assert resultat["database"] == connection.settings_dict["NAME"]  # the worker used the test database
    assert "socle.tasks.ping" in celery_worker["log"].read_text()


def test_mise_a_jour_perdue_refusee(region):
    uo = region.uo_hp
    version_lue = uo.version
    offre.modifier_structure(region.referent, uo, {"telephone": "02 41 00 00 01"}, raison="Contacts",
                             version_attendue=version_lue)
    with pytest.raises(offre.ConflitDeVersion) as conflit:
        offre.modifier_structure(region.directeur, uo, {"telephone": "02 41 00 00 02"}, raison="Contacts",
                                 version_attendue=version_lue)
    assert [c["apres"] for c in conflit.value.changements if c["champ"] == "telephone"] == ["02 41 00 00 01"]
    uo.refresh_from_db()
    assert uo.telephone == "02 41 00 00 01"


def test_deplacer_une_uo_dans_la_meme_ej(region):
    oi = offre.creer_structure(region.gestionnaire, Niveau.OI, region.ehpad, nom="Pôle gériatrie",
                               type_oi=concept("J203", "1"))
    offre.deplacer_structure(region.gestionnaire, region.uo_aj, oi, raison="Dossier 1")
    region.uo_aj.refresh_from_db()
    assert region.uo_aj.parent_id == oi.pk and region.uo_aj.eg_id == region.ehpad.pk
    with pytest.raises(ValidationError):
        offre.deplacer_structure(region.gestionnaire, region.uo_aj, region.ch, raison="Dossier 1")


NOS_APPLICATIONS = {"ror", "comptes", "nomenclatures", "repertoire", "recherche", "dossiers", "disponibilites", "imports",
                    "qualite", "interop"}


def test_chaque_modele_a_son_administration(admin_client):
    from django.apps import apps
    from django.contrib import admin

    oublies = [
        m._meta.label for m in apps.get_models()
        if m._meta.app_label in NOS_APPLICATIONS and not m._meta.auto_created
        and not m.__name__.startswith("Historical") and not m._meta.proxy and m not in admin.site._registry
        and not m.__name__.endswith("ObjectPermission")
    ]
    assert not oublies, f"modèles sans administration : {oublies}"
    for modele in admin.site._registry:
        if modele._meta.app_label in NOS_APPLICATIONS:
            url = f"/admin/{modele._meta.app_label}/{modele._meta.model_name}/"
            assert admin_client.get(url).status_code == 200, url
