"""Brute force lockout, production settings, Content-Security-Policy, audit log without personal data."""

import csv
import io
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.db.models import F

from socle.audit import journaliser
from socle.models import Action, JournalAudit
from tests.factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parent.parent


def _tenter(client, username, password, ip="192.0.2.10", patienter=True):
    if patienter:  # the person waits as asked between attempts (see the slowing test)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=1))
    return client.post("/connexion/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _connecte(client):
    return "_auth_user_id" in client.session


def test_cinq_echecs_verrouillent_le_compte_depuis_cette_adresse_puis_le_gestionnaire_debloque(client, region):
    for _ in range(4):
        assert _tenter(client, "referent", "mauvais").status_code == 200
    bloque = _tenter(client, "referent", "mauvais")
    assert bloque.status_code == 429
    assert "Connexion temporairement bloquée" in bloque.content.decode()
    assert "15 minutes" in bloque.content.decode()

    # Even the right password is refused now, from this address, for this account.
    assert _tenter(client, "referent", MOT_DE_PASSE).status_code == 429
    assert not _connecte(client)
    # The account+IP pair is locked, not the account everywhere nor the address for everyone.
    assert _tenter(client, "referent", MOT_DE_PASSE, ip="192.0.2.99").status_code == 302
    client.logout()
    assert _tenter(client, "consultant", MOT_DE_PASSE).status_code == 302
    client.logout()
    actions = list(JournalAudit.objects.values_list("action", flat=True))
    assert actions.count("connexion_echouee") == 6 and "compte_verrouille" in actions  # 5 + the refused right one

    # The gestionnaire sees the lock and lifts it.
    client.force_login(region.gestionnaire)
    page = client.get("/compte/gestion/verrouillages/").content.decode()
    assert "192.0.2.10" in page and "Déverrouiller" in page
    tentative = AccessAttempt.objects.get(username="referent", ip_address="192.0.2.10")
    client.post(f"/compte/gestion/verrouillages/{tentative.pk}/deverrouiller/")
    client.logout()
    assert _tenter(client, "referent", MOT_DE_PASSE).status_code == 302
    assert _connecte(client)


def test_les_essais_sont_ralentis_avant_le_verrouillage(client, region):
    assert _tenter(client, "referent", "mauvais", patienter=False).status_code == 200
    assert _tenter(client, "referent", "mauvais", patienter=False).status_code == 200
    # A third try right away is refused without being checked, even with the right password.
    trop_tot = _tenter(client, "referent", MOT_DE_PASSE, patienter=False)
    assert trop_tot.status_code == 429 and "réessayez dans 2 secondes" in trop_tot.content.decode()
    assert not _connecte(client)
    assert AccessAttempt.objects.get().failures_since_start == 2  # not counted as a failure
    # Once the delay has passed, the right password works.
    assert _tenter(client, "referent", MOT_DE_PASSE).status_code == 302
    assert _connecte(client)


def test_un_consultant_ne_peut_pas_debloquer(client, region):
    for _ in range(5):
        _tenter(client, "referent", "mauvais")
    tentative = AccessAttempt.objects.get()
    client.force_login(region.consultant)
    assert client.post(f"/compte/gestion/verrouillages/{tentative.pk}/deverrouiller/").status_code == 403
    assert AccessAttempt.objects.filter(pk=tentative.pk).exists()


def test_ni_le_journal_ni_les_logs_ne_contiennent_adresse_ou_nom(client, region, caplog):
    caplog.set_level("DEBUG")
    _tenter(client, "referent", "mauvais")
    _tenter(client, "personne-inconnue@exemple.fr", "mauvais")
    _tenter(client, "referent", MOT_DE_PASSE)
    lignes = list(JournalAudit.objects.values_list("action", "cible", "details"))
    assert ("connexion_echouee", f"user:{region.referent.pk}", {}) in lignes
    assert ("connexion_echouee", "compte:inconnu", {}) in lignes
    assert ("connexion", f"user:{region.referent.pk}", {"methode": "mot_de_passe"}) in lignes
    texte = repr(lignes)
    assert "@" not in texte and "personne-inconnue" not in texte and "'referent'" not in texte.replace(
        "'droit': 'referent'", "")
    assert "AXES" in caplog.text  # django-axes did log the failures…
    assert "personne-inconnue" not in caplog.text and '"referent"' not in caplog.text  # …without the names


def test_journal_exporte_en_csv(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.get("/compte/gestion/journal.csv?action=droit_accorde")
    assert reponse["Content-Type"].startswith("text/csv")
    lignes = list(csv.reader(io.StringIO(reponse.getvalue().decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][:3] == ["date", "action", "acteur"]
    assert len(lignes) == 1 + 3  # the three rights the region's factory gave
    assert {ligne[1] for ligne in lignes[1:]} == {"Droit accordé"}
    page = client.get("/compte/gestion/journal/").content.decode()
    assert "Droit accordé" in page and "Exporter en CSV" in page


def test_le_journal_montre_les_details_en_clair_sans_syntaxe_python(client, region):
    journaliser(region.gestionnaire, Action.JETON_API_CREE, cible="jeton:1",
                details={"eg": None, "portee": "fhir", "actif": True, "champs": ["lits", "unites"]})
    client.force_login(region.gestionnaire)
    page = client.get("/compte/gestion/journal/").content.decode()
    # (jsonb orders the keys its own way: each pair is checked, not their order)
    for attendu in ("eg : —", "portee : fhir", "actif : oui", "champs : [&quot;lits&quot;, &quot;unites&quot;]"):
        assert attendu in page
    assert f"droit : referent ; structure : {region.ehpad.pk}" in page
    assert "{&#x27;" not in page and "None" not in page
    reponse = client.get("/compte/gestion/journal.csv")
    texte = reponse.getvalue().decode("utf-8-sig")
    for attendu in ("eg : —", "portee : fhir", "actif : oui", 'champs : [""lits"", ""unites""]'):
        assert attendu in texte
    assert "{'" not in texte and "None" not in texte


def test_les_reglages_de_production_passent_check_deploy():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for the tests only
    env = {**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "ror.exemple.fr",
           "DATABASE_URL": "postgresql://ror@/ror?host=/inexistant"}  # no connection needed for these checks
    resultat = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                              cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert resultat.returncode == 0, resultat.stderr + resultat.stdout
    assert "System check identified no issues (0 silenced)." in resultat.stdout


def test_une_politique_de_securite_des_contenus_sans_script_en_ligne(client, region):
    reponse = client.get("/")
    politique = dict(p.strip().split(" ", 1) for p in reponse["Content-Security-Policy"].split(";") if p.strip())
    assert politique["script-src"] == "'self'"
    assert politique["frame-ancestors"] == "'none'" and politique["object-src"] == "'none'"
    assert reponse["X-Frame-Options"] == "DENY"


def test_un_compte_desactive_ne_se_connecte_plus_mais_reste_dans_l_historique(client, region):
    client.force_login(region.gestionnaire)
    client.post(f"/compte/gestion/utilisateurs/{region.referent.pk}/desactiver/")
    client.logout()
    region.referent.refresh_from_db()
    assert region.referent.is_active is False  # deactivated, not deleted
    assert _tenter(client, "referent", MOT_DE_PASSE).status_code == 200
    assert not _connecte(client)
    assert JournalAudit.objects.filter(action="compte_desactive", cible=f"user:{region.referent.pk}").exists()


def test_le_gestionnaire_ne_se_desactive_pas_lui_meme(client, region):
    client.force_login(region.gestionnaire)
    reponse = client.post(f"/compte/gestion/utilisateurs/{region.gestionnaire.pk}/desactiver/", follow=True)
    assert "propre compte" in reponse.content.decode()
    region.gestionnaire.refresh_from_db()
    assert region.gestionnaire.is_active


# -- Issue 16: the slowdown in the authentication backend, per address too, reset unlocks ----------

def _tenter_admin(client, username, password, ip="192.0.2.10"):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password,
                                                       "next": "/admin/"}, REMOTE_ADDR=ip)


def test_l_administration_django_est_ralentie_elle_aussi(client, region):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin-ror", "admin@exemple.fr", MOT_DE_PASSE)
    assert _tenter_admin(client, "admin-ror", "mauvais").status_code == 200
    assert _tenter_admin(client, "admin-ror", "mauvais").status_code == 200
    # Right away, even the right password is refused unchecked, and not counted as a failure.
    assert _tenter_admin(client, "admin-ror", MOT_DE_PASSE).status_code == 200
    assert not _connecte(client)
    assert AccessAttempt.objects.get().failures_since_start == 2
    # The delay passed (time moved, nobody sleeps): the right password works.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=3))
    assert _tenter_admin(client, "admin-ror", MOT_DE_PASSE).status_code == 302
    assert _connecte(client)


def test_une_adresse_qui_essaie_de_nombreux_comptes_attend(client, region, settings):
    """An attacker spreads guesses across accounts (two each, under the per-account slowdown)."""
    settings.ROR_ECHECS_PAR_ADRESSE = 6
    settings.ROR_PROXIES_DE_CONFIANCE = 1  # the client's address is the one the proxy saw

    def essai(username, password, client_ip):
        return client.post("/connexion/", {"username": username, "password": password},
                           REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_ip)

    for username in ("referent", "referent_autre", "directeur"):
        for _ in range(2):
            assert essai(username, "mauvais", "203.0.113.7").status_code == 200
    bloque = essai("consultant", MOT_DE_PASSE, "203.0.113.7")
    assert bloque.status_code == 429 and "réessayez dans 15 minutes" in bloque.content.decode()
    assert not _connecte(client)
    # Another client behind the same proxy is not affected.
    assert essai("consultant", MOT_DE_PASSE, "198.51.100.4").status_code == 302
    client.logout()
    # Once the cool-off has passed since the last failure, the address may try again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert essai("consultant", MOT_DE_PASSE, "203.0.113.7").status_code == 302


def test_le_lien_de_reinitialisation_deverrouille_le_compte(client, region):
    import re

    from django.core import mail

    for _ in range(5):
        _tenter(client, "referent", "mauvais")
    assert _tenter(client, "referent", MOT_DE_PASSE).status_code == 429  # locked
    from comptes.tasks import envoyer_reinitialisation

    envoyer_reinitialisation(region.referent.email, "testserver", False)
    lien = re.search(r"http://testserver(/compte/nouveau-mot-de-passe/\S+)", mail.outbox[0].body).group(1)
    saisie = client.get(lien, follow=True).redirect_chain[-1][0]
    nouveau = "Tilleuls-Angers-2026!"
    client.post(saisie, {"new_password1": nouveau, "new_password2": nouveau}, REMOTE_ADDR="192.0.2.10")
    assert not AccessAttempt.objects.filter(username="referent").exists()
    assert _tenter(client, "referent", nouveau).status_code == 302 and _connecte(client)
    assert JournalAudit.objects.filter(action="deverrouillage", acteur=region.referent).exists()
