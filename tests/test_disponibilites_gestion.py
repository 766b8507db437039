"""Gestionnaire's tools: situations de tension with reminders, followed units, API tokens."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from disponibilites.models import SituationTension, UniteMarquee
from disponibilites.services import enregistrement, saisie_lits, situations_tension, suivi
from nomenclatures.models import Departement
from repertoire.models import JetonApi, PorteeJeton
from repertoire.services import jetons_api
from tests.factories import concept

pytestmark = pytest.mark.django_db


def test_declarer_une_tension_lister_les_retards_et_relancer(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(reverse("disponibilites:tensions"), {
        "type_crise": concept("J194", "02").pk, "departement": "49", "frequence_heures": "4",
        "commentaire": "Afflux de patients"}, follow=True)
    situation = SituationTension.objects.get()
    assert situation.departement_id == "49" and situation.declaree_par == region.gestionnaire
    page = reponse.content.decode()
    assert f'id="retard-{region.uo_rea.pk}"' in page and "jamais" in page

    client.post(reverse("disponibilites:tension", args=[situation.pk]), {"action": "relancer"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["referent_autre@exemple.fr"]
    assert "Réanimation adulte" in mail.outbox[0].subject
    assert "http://127.0.0.1:8000/disponibilites/saisie/" in mail.outbox[0].body
    # Not sent again within the reminder interval.
    client.post(reverse("disponibilites:tension", args=[situation.pk]), {"action": "relancer"})
    assert len(mail.outbox) == 1

    # Once the unit updates, it is no longer late.
    saisie_lits.saisir_lits(region.referent_autre, [saisie_lits.LigneSaisie(region.uo_rea, disponibles=2)])
    page = client.get(reverse("disponibilites:tension", args=[situation.pk])).content.decode()
    assert f'id="retard-{region.uo_rea.pk}"' not in page

    client.post(reverse("disponibilites:tension", args=[situation.pk]), {"action": "lever"})
    situation.refresh_from_db()
    assert situation.fin is not None
    client.force_login(region.consultant)
    assert "Situation de tension" not in client.get(reverse("disponibilites:tableau")).content.decode()


def test_une_unite_hors_du_territoire_de_la_tension_n_est_pas_en_retard(region):
    situation = situations_tension.declarer_tension(region.gestionnaire, concept("J194", "01"),
                                                    Departement.objects.get(code="72"), 2)
    assert list(situations_tension.unites_en_retard(situation)) == []


def test_une_donnee_plus_vieille_que_la_frequence_est_en_retard(region):
    enregistrement.enregistrer_figures([enregistrement.Figure(region.uo_rea, "02", 3, timezone.now() - timedelta(hours=3))])
    situation = situations_tension.declarer_tension(region.gestionnaire, concept("J194", "01"), None, 2)
    assert list(situations_tension.unites_en_retard(situation)) == [region.uo_rea]
    situation.frequence_heures = 4
    assert list(situations_tension.unites_en_retard(situation)) == []


def test_declaration_invalide_400(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(reverse("disponibilites:tensions"), {"type_crise": "999999", "frequence_heures": "0"})
    assert reponse.status_code == 400 and not SituationTension.objects.exists()


def test_le_gestionnaire_ajoute_une_unite_au_suivi(client, region):
    client.force_login(region.gestionnaire)
    page = client.get(reverse("disponibilites:unites_suivies") + "?q=Hébergement").content.decode()
    assert "Suivre en lits" in page
    client.post(reverse("disponibilites:unites_suivies"), {"uo": region.uo_hp.pk, "suivie": "1"})
    client.force_login(region.consultant)
    page = client.get(reverse("disponibilites:tableau")).content.decode()
    assert "Hébergement permanent" in page and "Autres unités suivies" in page
    # …and the EHPAD's référent may now enter its beds.
    client.force_login(region.referent)
    assert "Hébergement permanent" in client.get(reverse("disponibilites:saisie")).content.decode()


@pytest.mark.parametrize("uo", ["abc", "", "-3", "1.5"])
def test_suivre_une_unite_illisible_repond_404_sans_rien_changer(client, region, uo):
    client.force_login(region.gestionnaire)
    avant = set(UniteMarquee.objects.values_list("pk", flat=True))
    assert client.post(reverse("disponibilites:unites_suivies"), {"uo": uo, "suivie": "1"}).status_code == 404
    assert set(UniteMarquee.objects.values_list("pk", flat=True)) == avant


def test_le_gestionnaire_retire_une_unite_du_suivi(client, region):
    suivi.marquer_unite(region.gestionnaire, region.uo_rea, False)
    client.force_login(region.consultant)
    assert "Réanimation adulte" not in client.get(reverse("disponibilites:tableau")).content.decode()


def test_jeton_affiche_une_seule_fois_puis_revoque(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(reverse("disponibilites:jetons"), {"eg": region.ch.pk, "libelle": "Logiciel X"})
    page = reponse.content.decode()
    debut = page.index('id="jeton-clair">') + len('id="jeton-clair">')
    clair = page[debut:page.index("</code>", debut)]
    jeton = JetonApi.objects.get()
    assert clair.startswith("ror_") and jeton.empreinte != clair and clair not in jeton.empreinte
    assert clair not in client.get(reverse("disponibilites:jetons")).content.decode()
    assert jetons_api.authentifier(f"Bearer {clair}", PorteeJeton.LITS) == jeton
    client.post(reverse("disponibilites:revoquer_jeton", args=[jeton.pk]))
    assert jetons_api.authentifier(f"Bearer {clair}", PorteeJeton.LITS) is None


def test_un_jeton_ne_peut_viser_qu_un_etablissement_suivi(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(reverse("disponibilites:jetons"), {"eg": region.ehpad.pk, "libelle": "X"})
    assert reponse.status_code == 400 and not JetonApi.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_la_tache_periodique_relance_les_unites_en_retard_dans_un_vrai_worker(celery_worker, region):
    from disponibilites.models import Relance
    from disponibilites.tasks import relancer_unites_en_retard

    situations_tension.declarer_tension(region.gestionnaire, concept("J194", "02"), None, 4)
    assert relancer_unites_en_retard.delay().get(timeout=60) == 1  # the CH's réanimation, never updated
    assert list(Relance.objects.values_list("uo_id", "destinataires")) == [(region.uo_rea.pk, 1)]
