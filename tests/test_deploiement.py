"""docker-compose.yml, its Caddyfile and .env.example: Docker does not run in CI, so the files
are read and every command, module, file and variable they name is checked to exist."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands
from django.utils.module_loading import import_string

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APPLICATION = ["init", "web", "worker", "beat"]
ENV_EXEMPLE = (BASE_DIR / ".env.example").read_text()


def commande(service: str) -> list[str]:
    texte = SERVICES[service]["command"]
    return shlex.split(texte) if isinstance(texte, str) else texte


def test_les_services_attendus():
    assert set(SERVICES) == {"init", "web", "worker", "beat", "db", "redis", "caddy"}
    for nom in APPLICATION:
        assert SERVICES[nom]["build"] == "." and (BASE_DIR / "Dockerfile").exists()
        assert SERVICES[nom]["environment"]["DEBUG"] == "0"
        assert SERVICES[nom]["environment"]["DATABASE_URL"].startswith("postgres://ror:")
        assert SERVICES[nom]["environment"]["REDIS_URL"].startswith("redis://")
    for nom in ("web", "worker", "beat"):
        assert SERVICES[nom]["depends_on"]["init"] == {"condition": "service_completed_successfully"}


def test_les_commandes_de_gestion_existent_et_init_charge_les_referentiels():
    etapes = [shlex.split(e) for e in commande("init")[2].split("&&")]
    gestion = [e[2] for e in etapes if e[:2] == ["python", "manage.py"]]
    assert gestion == ["migrate", "load_nomenclatures", "load_communes", "check"]
    connues = get_commands()
    assert all(g in connues for g in gestion)
    assert (BASE_DIR / "manage.py").exists()


def test_gunicorn_sert_l_application_wsgi_pour_deux_coeurs():
    web = commande("web")
    assert web[0] == "gunicorn"
    import_string(web[1].replace(":", "."))  # ror.wsgi.application
    options = dict(zip(web[2::2], web[3::2]))
    assert options["--bind"] == "0.0.0.0:8000" and int(options["--workers"]) * int(options["--threads"]) <= 8
    assert 30 <= int(options["--timeout"]) <= 120


def test_celery_worker_et_beat_sur_l_application_ror():
    from ror.celery import app

    assert commande("worker")[:4] == ["celery", "-A", "ror", "worker"]
    assert commande("beat")[:4] == ["celery", "-A", "ror", "beat"]
    assert app.main == "ror"
    assert "sante-battement" in app.conf.beat_schedule


def test_controles_de_sante():
    for nom in ("web", "worker", "db", "redis"):
        assert "healthcheck" in SERVICES[nom], nom
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[:2] == ["CMD", "python"] and (BASE_DIR / test[2]).exists()
    assert "/sante/" in (BASE_DIR / test[2]).read_text()
    assert SERVICES["caddy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_caddy_https_plafond_des_envois_et_proxy_declare():
    montage = next(v for v in SERVICES["caddy"]["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (BASE_DIR / montage.split(":")[0]).read_text()
    assert "{$ROR_DOMAINE}" in caddyfile and "reverse_proxy web:8000" in caddyfile
    plafond = re.search(r"max_size (\d+)MB", caddyfile)
    from imports.forms import TAILLE_MAX

    assert plafond and TAILLE_MAX <= int(plafond.group(1)) * 1024 * 1024 <= 2 * TAILLE_MAX
    # The portal trusts exactly one proxy, because Caddy is there.
    assert all(SERVICES[n]["environment"]["ROR_PROXIES_DE_CONFIANCE"] == "1" for n in APPLICATION)


def test_volumes_des_fichiers_partages_par_web_et_worker():
    for nom in ("web", "worker"):
        assert "media:/app/media" in SERVICES[nom]["volumes"]
        assert SERVICES[nom]["environment"]["MEDIA_ROOT"] == "/app/media"
    assert set(COMPOSE["volumes"]) >= {"pgdata", "media", "caddy_data"}


def test_variables_de_compose_presentes_dans_env_example():
    texte = (BASE_DIR / "docker-compose.yml").read_text()
    for variable in set(re.findall(r"\$\{([A-Z_]+)", texte)):
        assert re.search(rf"^{variable}=", ENV_EXEMPLE, re.M), variable


def test_env_example_complet_chaque_variable_des_reglages_y_figure():
    reglages = (BASE_DIR / "ror" / "settings.py").read_text()
    lues = set(re.findall(r'(?:environ\.get|environ\[|env_bool|env_int|env_list)\(?\s*"([A-Z_0-9]+)"', reglages))
    assert len(lues) > 40
    absentes = sorted(v for v in lues if not re.search(rf"^#? ?{v}=", ENV_EXEMPLE, re.M))
    assert not absentes, absentes


@pytest.mark.parametrize("fichier", ["docker-compose.yml", "deploiement/Caddyfile", ".env.example", "Dockerfile"])
def test_fichiers_de_deploiement_sans_secret_reel(fichier):
    texte = (BASE_DIR / fichier).read_text()
    assert "demo-ror-2026" not in texte
