"""API tokens (FHIR, beds) expire: the date is set and shown by the gestionnaire, an expired
token is refused with a clear 401, and the gestionnaires are mailed 30 then 7 days before."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from repertoire.models import JetonApi, PorteeJeton, ProfilAcces
from repertoire.services import jetons_api
from socle.models import JournalAudit

pytestmark = pytest.mark.django_db


def _expirer(jeton, **delai):
    JetonApi.objects.filter(pk=jeton.pk).update(expire_le=timezone.now() + timedelta(**delai))
    jeton.refresh_from_db()


def test_un_jeton_expire_par_defaut_dans_un_an_et_le_profil_2(region, settings):
    jeton, _ = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Santé.fr")
    assert abs(jeton.expire_le - timezone.now() - timedelta(days=settings.ROR_JETON_DUREE_JOURS)) < timedelta(minutes=1)
    assert jeton.profil_acces == ProfilAcces.HORS_TRES_RESTREINT and not jeton.voit_unites_sensibles


def test_jeton_fhir_expire_refuse_en_401_avec_un_message_clair(client, region):
    jeton, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Santé.fr")
    assert client.get("/fhir/Organization", HTTP_AUTHORIZATION=f"Bearer {clair}").status_code == 200
    _expirer(jeton, seconds=-1)
    for url in ("/fhir/Organization", f"/fhir/Organization/{region.ehpad.pk}", "/fhir/$export"):
        reponse = client.get(url, HTTP_AUTHORIZATION=f"Bearer {clair}", HTTP_PREFER="respond-async")
        assert reponse.status_code == 401 and reponse.json()["resourceType"] == "OperationOutcome"
        assert "expiré le" in reponse.json()["issue"][0]["diagnostics"]


def test_jeton_des_lits_expire_refuse_en_401(client, region):
    jeton, clair = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Logiciel", eg=region.ch)
    _expirer(jeton, days=-2)
    reponse = client.post(reverse("disponibilites:api_lits"), {"disponibilites": []}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {clair}")
    assert reponse.status_code == 401 and "expiré le" in reponse.json()["erreur"]


def test_la_liste_montre_l_expiration_et_le_gestionnaire_change_profil_et_date(client, region):
    client.force_login(region.gestionnaire)
    dans_deux_mois = (timezone.localdate() + timedelta(days=60)).isoformat()
    client.post("/interop/jetons/", {"consommateur": "SAS", "profil_acces": "4", "expire_le": dans_deux_mois})
    jeton = JetonApi.objects.get()
    assert jeton.profil_acces == 4 and timezone.localtime(jeton.expire_le).date().isoformat() == dans_deux_mois
    page = client.get("/interop/jetons/").content.decode()
    assert f'value="{dans_deux_mois}"' in page and "actif jusqu'au" in page
    dans_six_mois = (timezone.localdate() + timedelta(days=180)).isoformat()
    client.post(f"/interop/jetons/{jeton.pk}/modifier/", {"profil_acces": "1", "expire_le": dans_six_mois})
    jeton.refresh_from_db()
    assert jeton.profil_acces == 1 and timezone.localtime(jeton.expire_le).date().isoformat() == dans_six_mois
    assert JournalAudit.objects.filter(action="jeton_api_modifie", cible=f"jeton:{jeton.pk}").exists()
    # Bad input: a French message, nothing changed.
    for donnees, message in (({"expire_le": "2020-01-01"}, "dans le futur"), ({"expire_le": "demain"}, "illisible"),
                             ({"profil_acces": "9"}, "Sélectionnez un choix valide")):
        page = client.post(f"/interop/jetons/{jeton.pk}/modifier/", donnees, follow=True).content.decode()
        assert message in page.replace("&#x27;", "'"), donnees
        jeton.refresh_from_db()
        assert jeton.profil_acces == 1 and timezone.localtime(jeton.expire_le).date().isoformat() == dans_six_mois


def test_jeton_des_lits_prolonge_depuis_sa_page(client, region):
    jeton, _ = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.LITS, "Logiciel", eg=region.ch)
    _expirer(jeton, days=-1)
    client.force_login(region.gestionnaire)
    assert "expiré" in client.get(reverse("disponibilites:jetons")).content.decode()
    nouvelle = (timezone.localdate() + timedelta(days=90)).isoformat()
    client.post(reverse("disponibilites:modifier_jeton", args=[jeton.pk]), {"expire_le": nouvelle})
    jeton.refresh_from_db()
    assert jeton.actif and timezone.localtime(jeton.expire_le).date().isoformat() == nouvelle


def test_rappels_aux_gestionnaires_30_puis_7_jours_avant(region):
    region.gestionnaire.email = "gestion@ror.example.fr"
    region.gestionnaire.save()
    jeton, _ = jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Santé.fr")
    jetons_api.creer_jeton(region.gestionnaire, PorteeJeton.FHIR, "Lointain")  # a year away: no mail
    assert jetons_api.rappeler_expirations() == 0
    _expirer(jeton, days=20)
    assert jetons_api.rappeler_expirations() == 1
    assert mail.outbox[-1].to == ["gestion@ror.example.fr"] and "Santé.fr" in mail.outbox[-1].subject
    assert jetons_api.rappeler_expirations() == 0  # once per threshold
    _expirer(jeton, days=5)
    assert jetons_api.rappeler_expirations() == 1 and len(mail.outbox) == 2
    assert jetons_api.rappeler_expirations() == 0
    # Extended: the reminders start again for the new date; expired or revoked: no more mail.
    jetons_api.modifier_jeton(region.gestionnaire, jeton, expire_le=timezone.localdate() + timedelta(days=25))
    assert jetons_api.rappeler_expirations() == 1
    _expirer(jeton, days=-1)
    JetonApi.objects.filter(pk=jeton.pk).update(rappel_jours=None)
    assert jetons_api.rappeler_expirations() == 0


def test_la_tache_de_rappel_est_planifiee(settings):
    taches = {t["task"] for t in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"repertoire.tasks.rappeler_expiration_jetons", "interop.tasks.produire_opendata"} <= taches
