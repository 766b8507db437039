"""Production: settings that fail loudly (each DATABASE_URL form, each refusal), static files
by WhiteNoise, uploaded files only through their rights and deleted when they leave, the
shared cache, the client's address behind a declared proxy, the health page.

Settings are read in a fresh `python` process per case, with only the variables given:
what a server would see at start-up."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repertoire.models import PieceJointe, Structure

BASE_DIR = Path(__file__).resolve().parent.parent
CLE = "k" * 20 + "-Q7v2Xr9LmP0sTz4NwYb8Jc1Hd6Fg3Ke5"  # 54 characters, varied: a real-looking key
PROD = {"SECRET_KEY": CLE, "ALLOWED_HOSTS": "ror.exemple.fr", "DATABASE_URL": "postgres://ror:s3cret@db:5432/ror"}

LIRE = """
import json
from django.conf import settings
b = settings.DATABASES["default"]
print(json.dumps({"HOST": b["HOST"], "PORT": b["PORT"], "NAME": b["NAME"], "USER": b["USER"],
                  "PASSWORD": b["PASSWORD"], "OPTIONS": b["OPTIONS"], "DEBUG": settings.DEBUG,
                  "CACHE": settings.CACHES["default"]["BACKEND"], "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
                  "PROXY": settings.SECURE_PROXY_SSL_HEADER,
                  "STATIC": settings.STORAGES["staticfiles"]["BACKEND"]}))
"""


def reglages(tmp_path, **variables) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ror.settings",
           "ROR_VAR_DIR": str(tmp_path / "var"), **variables}
    return subprocess.run([sys.executable, "-c", LIRE], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                          timeout=60)


def lus(tmp_path, **variables) -> dict:
    resultat = reglages(tmp_path, **variables)
    assert resultat.returncode == 0, resultat.stderr[-2000:]
    return json.loads(resultat.stdout)


def refus(tmp_path, **variables) -> str:
    resultat = reglages(tmp_path, **variables)
    assert resultat.returncode != 0, resultat.stdout
    assert "ImproperlyConfigured" in resultat.stderr
    return resultat.stderr.strip().splitlines()[-1]


# -- DATABASE_URL: every documented form ----------------------------------------------------

@pytest.mark.parametrize("url, attendu", [
    # TCP, no query string: the docker-compose form (was KeyError: 'OPTIONS').
    ("postgres://ror:s3cret@db:5432/ror",
     {"HOST": "db", "PORT": 5432, "NAME": "ror", "USER": "ror", "PASSWORD": "s3cret", "OPTIONS": {}}),
    ("postgresql://ror:s3cret@127.0.0.1/ror",
     {"HOST": "127.0.0.1", "NAME": "ror", "USER": "ror", "OPTIONS": {}}),
    # Unix socket, as a query option or percent-encoded in the host.
    ("postgresql://postgres@/ror?host=/var/run/postgresql",
     {"HOST": "/var/run/postgresql", "NAME": "ror", "USER": "postgres", "OPTIONS": {}}),
    ("postgres://%2Fvar%2Frun%2Fpostgresql/ror", {"HOST": "/var/run/postgresql", "NAME": "ror", "OPTIONS": {}}),
    # libpq options in the query string.
    ("postgres://ror:s3cret@db.exemple.fr:6543/ror?sslmode=require&connect_timeout=5",
     {"HOST": "db.exemple.fr", "PORT": 6543, "NAME": "ror", "OPTIONS": {"sslmode": "require", "connect_timeout": 5}}),
])
def test_chaque_forme_de_database_url(tmp_path, url, attendu):
    base = lus(tmp_path, **{**PROD, "DATABASE_URL": url})
    assert {k: base[k] for k in attendu} == attendu


@pytest.mark.parametrize("url, message", [
    ("sqlite:///tmp/ror.db", "uniquement avec PostgreSQL"),
    ("mysql://ror:s3cret@db/ror", "uniquement avec PostgreSQL"),
    ("postgres://ror:s3cret@db:5432/", "ne nomme pas de base"),
    ("ceci n'est pas une url", "DATABASE_URL illisible"),
])
def test_database_url_inutilisable_refuse_sans_reveler_le_mot_de_passe(tmp_path, url, message):
    ligne = refus(tmp_path, **{**PROD, "DATABASE_URL": url})
    assert message in ligne and "s3cret" not in ligne


# -- DEBUG, SECRET_KEY, ALLOWED_HOSTS -------------------------------------------------------

def test_debug_est_eteint_par_defaut_et_la_production_demarre_avec_ses_valeurs(tmp_path):
    lu = lus(tmp_path, **PROD)
    assert lu["DEBUG"] is False and lu["ALLOWED_HOSTS"] == ["ror.exemple.fr"]
    assert lu["STATIC"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.mark.parametrize("cle", ["", "dev-only-not-secret-change-me-in-production-" + "x" * 20,
                                 "changez-moi-par-une-longue-chaine-aleatoire-de-plus-de-cinquante-car",
                                 "trop-courte", "a" * 60])
def test_sans_vraie_cle_secrete_debug_eteint_refuse_de_demarrer(tmp_path, cle):
    ligne = refus(tmp_path, **{**PROD, "SECRET_KEY": cle})
    assert "SECRET_KEY" in ligne


def test_sans_allowed_hosts_debug_eteint_refuse_de_demarrer(tmp_path):
    variables = dict(PROD)
    del variables["ALLOWED_HOSTS"]
    assert "ALLOWED_HOSTS" in refus(tmp_path, **variables)


@pytest.mark.parametrize("variable, valeur", [("DEBUG", "peut-être"), ("DEBUG", "O"), ("SECURE_SSL_REDIRECT", "vrai?"),
                                              ("EMAIL_USE_TLS", "2")])
def test_un_booleen_illisible_est_une_erreur(tmp_path, variable, valeur):
    variables = {**PROD, variable: valeur, "EMAIL_HOST": "smtp.exemple.fr"}
    ligne = refus(tmp_path, **variables)
    assert variable in ligne and "illisible" in ligne


@pytest.mark.parametrize("valeur, attendu", [("1", True), ("oui", True), ("TRUE", True), ("on", True),
                                             ("0", False), ("non", False), ("false", False), ("", False)])
def test_booleens_lisibles(tmp_path, valeur, attendu):
    assert lus(tmp_path, **{**PROD, "DEBUG": valeur})["DEBUG"] is attendu


def test_en_developpement_debug_pose_explicitement_les_valeurs_de_developpement_suffisent(tmp_path):
    lu = lus(tmp_path, DEBUG="1", DATABASE_URL="postgres://ror@/ror?host=/tmp")
    assert lu["DEBUG"] is True and "127.0.0.1" in lu["ALLOWED_HOSTS"]


def test_make_run_et_les_tests_posent_debug_explicitement():
    assert "export DEBUG ?= 1" in (BASE_DIR / "Makefile").read_text()
    pyproject = (BASE_DIR / "pyproject.toml").read_text()
    assert '"D:DEBUG=1"' in pyproject


def test_check_deploy_sans_remarque(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "ror.settings",
           "ROR_VAR_DIR": str(tmp_path / "var"), **PROD}
    resultat = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                              cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    assert "no issues" in resultat.stdout


# -- cache, proxy --------------------------------------------------------------------------

def test_avec_redis_url_le_cache_est_redis_sinon_la_memoire_du_processus(tmp_path):
    assert lus(tmp_path, **PROD, REDIS_URL="redis://redis:6379/0")["CACHE"] == \
        "django.core.cache.backends.redis.RedisCache"
    assert lus(tmp_path, **PROD)["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"


def test_le_proxy_n_est_cru_que_declare(tmp_path):
    assert lus(tmp_path, **PROD)["PROXY"] is None
    assert lus(tmp_path, **PROD, ROR_PROXIES_DE_CONFIANCE="1")["PROXY"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_adresse_du_client_journal_et_verrouillage(client, settings, region):
    """Behind one declared proxy, the audit log records the address the proxy saw; without
    the declaration, a forged X-Forwarded-For changes nothing."""
    from socle.models import JournalAudit

    def connexion(**entetes):
        client.post("/connexion/", {"username": "consultant", "password": "faux"}, REMOTE_ADDR="10.0.0.2", **entetes)
        return JournalAudit.objects.order_by("-pk").first().adresse_ip

    assert connexion(HTTP_X_FORWARDED_FOR="203.0.113.9") == "10.0.0.2"
    settings.ROR_PROXIES_DE_CONFIANCE = 1
    assert connexion(HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9") == "203.0.113.9"


# -- static files ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_aucune_empreinte_sri_que_collectstatic_rendrait_fausse(client):
    """In production the manifest storage rewrites the url() of the DSFR CSS: an SRI digest of the
    package's original file then blocks the stylesheet, and every page shows unstyled (seen in
    Chromium on a DEBUG=0 server after collectstatic). The pages carry no such digest."""
    html = client.get("/").content.decode()
    assert "dsfr.min" in html and "integrity=" not in html


def test_whitenoise_sert_les_fichiers_statiques(client):
    reponse = client.get("/static/dsfr/dist/dsfr.min.css")
    assert reponse.status_code == 200
    assert "text/css" in reponse["Content-Type"]


# -- uploaded files -------------------------------------------------------------------------

def _png() -> bytes:
    from PIL import Image

    tampon = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 145)).save(tampon, "PNG")
    return tampon.getvalue()


def _publier_photo_et_piece(client, user, structure):
    client.force_login(user)
    reponse = client.post(reverse("repertoire:modifier_encadre", args=[structure.pk, "photo"]), {
        "version": structure.version, "photo": SimpleUploadedFile("facade.png", _png(), content_type="image/png"),
        "pieces-piece_titre": "Livret d'accueil",
        "pieces-piece_fichier": SimpleUploadedFile("livret.pdf", b"%PDF-1.4 livret", content_type="application/pdf")})
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    return Structure.objects.get(pk=structure.pk), PieceJointe.objects.get(structure=structure)


def test_fichiers_servis_seulement_a_qui_peut_lire_la_fiche(client, region, settings):
    ehpad, piece = _publier_photo_et_piece(client, region.referent, region.ehpad)
    fiche = client.get(reverse("repertoire:fiche", args=[ehpad.pk])).content.decode()
    assert ehpad.photo.url in fiche and piece.fichier.url in fiche
    assert ehpad.photo.url.startswith("/media/photos/")

    client.force_login(region.consultant)
    photo = client.get(ehpad.photo.url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content) == _png()
    assert "private" in photo["Cache-Control"]
    pdf = client.get(piece.fichier.url)
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.4 livret"

    client.logout()
    anonyme = client.get(ehpad.photo.url)
    assert anonyme.status_code == 302 and anonyme["Location"].startswith("/connexion/")
    client.force_login(region.consultant)
    # A file on disk that no fiche names, a path outside the media folder: the same 404.
    orphelin = Path(settings.MEDIA_ROOT) / "photos" / "orphelin.png"
    orphelin.write_bytes(_png())
    for chemin in ("/media/photos/orphelin.png", "/media/photos/../../ror/settings.py", "/media/autre/x.png"):
        assert client.get(chemin).status_code == 404, chemin


def test_un_fichier_qui_n_est_pas_une_image_ni_un_pdf_est_telecharge(client, region):
    client.force_login(region.referent)
    client.post(reverse("repertoire:modifier_encadre", args=[region.ehpad.pk, "photo"]), {
        "version": region.ehpad.version, "pieces-piece_titre": "Tarifs",
        "pieces-piece_fichier": SimpleUploadedFile("tarifs.odt", b"PK\x03\x04odt",
                                                   content_type="application/vnd.oasis.opendocument.text")})
    piece = PieceJointe.objects.get(structure=region.ehpad)
    reponse = client.get(piece.fichier.url)
    assert reponse.status_code == 200 and reponse["Content-Disposition"].startswith("attachment")


def test_fichiers_retires_de_la_fiche_supprimes_du_disque(client, region, django_capture_on_commit_callbacks):
    stockage = None
    with django_capture_on_commit_callbacks(execute=True):
        ehpad, piece = _publier_photo_et_piece(client, region.referent, region.ehpad)
    from django.core.files.storage import default_storage as stockage

    ancienne_photo, fichier_piece = ehpad.photo.name, piece.fichier.name
    assert stockage.exists(ancienne_photo) and stockage.exists(fichier_piece)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("repertoire:modifier_encadre", args=[ehpad.pk, "photo"]), {
            "version": ehpad.version, "photo-clear": "on", "pieces-pieces_retirer": [piece.pk],
            "pieces-piece_titre": ""})
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    assert not Structure.objects.get(pk=ehpad.pk).photo and not PieceJointe.objects.exists()
    assert not stockage.exists(ancienne_photo) and not stockage.exists(fichier_piece)


def test_fichier_finess_televerse_reserve_aux_gestionnaires_puis_supprime(client, region):
    from django.core.files.storage import default_storage

    from imports.models import ImportFiness
    from imports.services import oublier_fichier

    imp = ImportFiness.objects.create(par=region.gestionnaire, nom_fichier="finess.csv",
                                      fichier=SimpleUploadedFile("finess.csv", b"finess;ligne\n"))
    client.force_login(region.referent)
    assert client.get(imp.fichier.url).status_code == 404
    client.force_login(region.gestionnaire)
    assert client.get(imp.fichier.url).status_code == 200
    nom = imp.fichier.name
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        oublier_fichier(imp)
    imp.refresh_from_db()
    assert not imp.fichier and not default_storage.exists(nom)


# -- health page ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_page_de_sante(client, region):
    from socle import sante

    reponse = client.get("/sante/")
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/json"
    corps = reponse.json()
    assert corps["base"]["ok"] is True and corps["redis"] == {"ok": True, "configure": False}
    assert corps["etat"] == "degrade" and corps["worker"]["ok"] is False  # nothing noted yet
    sante._derniere_ecriture.clear()
    sante.noter(sante.WORKER)
    sante.noter(sante.BEAT)
    corps = client.get("/sante/").json()
    assert corps["etat"] == "ok" and corps["worker"]["age_secondes"] <= 1 and corps["beat"]["ok"]
    texte = json.dumps(corps)
    for personne in ("consultant", "referent", "gestionnaire", "@"):
        assert personne not in texte


def test_les_rapports_d_erreur_masquent_le_jeton_viatrajectoire_et_les_urls_a_mot_de_passe(settings):
    from socle.erreurs import FiltreDesSecrets

    settings.VIATRAJECTOIRE_JETON = "jeton-tres-secret"
    settings.REDIS_URL = "redis://:motdepasse@redis:6379/0"
    reglages = FiltreDesSecrets().get_safe_settings()
    assert "jeton-tres-secret" not in str(reglages) and "motdepasse" not in str(reglages)
    assert reglages["DEBUG"] is not None
