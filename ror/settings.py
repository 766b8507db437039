"""Settings of the ROR portal: one file, driven by the environment.

Local use needs no variable at all: the embedded PostgreSQL starts under var/,
Celery uses a broker on the file system, e-mails go to var/mails.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ROR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me-in-production-" + "x" * 20)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",  # autodiscover in ror/urls.py, without leaflet's GIS admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "mptt",
    "simple_history",
    "guardian",
    "leaflet",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "django_filters",
    "axes",
    "csp",
    "socle",
    "nomenclatures",
    "repertoire",
    "comptes",
    "recherche",
    "dossiers",
    "disponibilites",
    "imports",
    "qualite",
    "interop",
    "demo",  # the demonstration region, on top of every app
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "comptes.middleware.CGUMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "ror.urls"
WSGI_APPLICATION = "ror.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "repertoire.context_processors.portail",
            ],
        },
    },
]

# PostgreSQL only: DATABASE_URL, or the embedded server started on demand.
if os.environ.get("DATABASE_URL"):
    _database_url = os.environ["DATABASE_URL"]
else:
    from socle.embedded_db import database_url

    _database_url = database_url(BASE_DIR)
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if "host" in DATABASES["default"]["OPTIONS"]:  # Unix socket given as ?host=/path
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise RuntimeError("Le portail ROR fonctionne uniquement avec PostgreSQL (DATABASE_URL=postgres://…).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "ror.User"

AUTHENTICATION_BACKENDS = [
    "comptes.backends.AxesBackend",  # first: refuses locked-out account+IP pairs
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accueil"
LOGOUT_REDIRECT_URL = "accueil"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# E-mail: SMTP when EMAIL_HOST is set, else files under var/mails (readable by the team).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mails"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ROR Pays de la Loire <ne-pas-repondre@ror.example.fr>")

# Celery: a real Redis with REDIS_URL; otherwise kombu's file-system broker
# under var/celery, served by the worker that `make run` starts.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DIR = Path(os.environ.get("CELERY_DATA_DIR", VAR_DIR / "celery"))
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),  # kombu's default is ./control, in the work tree
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "file://" + str(CELERY_DIR / "results")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {}

# Maps: tiles only where a tile server is reachable (none offline: the map still
# shows the markers on a blank background).
LEAFLET_TILES_URL = os.environ.get("LEAFLET_TILES_URL", "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (47.4, -0.8),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [("Plan", LEAFLET_TILES_URL, {"attribution": os.environ.get("LEAFLET_TILES_ATTRIBUTION", "")})]
    if LEAFLET_TILES_URL
    else [],
    "RESET_VIEW": False,
}

# The region this portal serves (Pays de la Loire by default).
ROR_REGION_CODE = os.environ.get("ROR_REGION_CODE", "52")
ROR_REGION_NOM = os.environ.get("ROR_REGION_NOM", "Pays de la Loire")
ROR_SITE_TITLE = os.environ.get("ROR_SITE_TITLE", f"ROR {ROR_REGION_NOM}")
ROR_OPERATEUR = os.environ.get("ROR_OPERATEUR", "GRADeS e-santé (démonstration)")

# Security (HTTPS settings take effect when DEBUG is off).
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DSFR_USE_INTEGRITY_CHECKSUMS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- comptes ---
from datetime import timedelta  # noqa: E402

# Conditions générales d'utilisation: a new version is asked again at the next page.
ROR_CGU_VERSION = os.environ.get("ROR_CGU_VERSION", "2026-1")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(3 * 24 * 3600)))  # link lifetime

# Pro Santé Connect (OpenID Connect), optional: enabled when the three are set.
ROR_PSC_ISSUER = os.environ.get("ROR_PSC_ISSUER", "")  # e.g. https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet
ROR_PSC_CLIENT_ID = os.environ.get("ROR_PSC_CLIENT_ID", "")
ROR_PSC_CLIENT_SECRET = os.environ.get("ROR_PSC_CLIENT_SECRET", "")
ROR_PSC_SCOPES = os.environ.get("ROR_PSC_SCOPES", "openid scope_all")
ROR_PSC_ACR_VALUES = os.environ.get("ROR_PSC_ACR_VALUES", "eidas1")

# Brute force (django-axes): 5 failures for one account from one IP lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_VERBOSE = False  # axes would log user names: our audit log records failures without them
AXES_CLIENT_STR_CALLABLE = "comptes.signals.description_client_axes"
AXES_DISABLE_ACCESS_LOG = True  # logins are in JournalAudit

# Content-Security-Policy (django-csp): no inline script anywhere; json_script data blocks
# are not executed, so they need nothing. Style attributes are tolerated (DSFR/Leaflet), <style> blocks are not.
_CSP_IMAGES = ["'self'", "data:"]
if LEAFLET_TILES_URL:
    from urllib.parse import urlsplit

    _CSP_IMAGES.append("{0.scheme}://{0.netloc}".format(urlsplit(LEAFLET_TILES_URL)))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": _CSP_IMAGES,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if not DEBUG:
    SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(10 * 3600)))  # one working day
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

# --- disponibilites ---
# Units whose beds are followed: UO with one of these activités opérationnelles (J17),
# grouped by type of unit for the board's filter. A gestionnaire may add other units.
DISPONIBILITES_TYPES_UNITE = {
    "reanimation": ("Réanimation", ["122", "123", "124", "125", "126", "127", "128", "129", "130"]),
    "soins_intensifs": ("Soins intensifs", ["351", "352", "353", "354", "356", "357", "360", "361", "362",
                                            "363", "364", "365", "366", "367", "368", "369", "370", "371",
                                            "372"]),
    "soins_continus": ("Soins continus / surveillance continue", [str(c) for c in range(373, 392)]),
    "grands_brules": ("Grands brûlés", ["121", "359", "379"]),
}
DISPONIBILITES_ACTIVITES_J17 = env_list(
    "DISPONIBILITES_ACTIVITES_J17",
    ",".join(code for _, codes in DISPONIBILITES_TYPES_UNITE.values() for code in codes),
)
# Age of a figure beyond which it is shown "ancienne" (stale), then "obsolète".
DISPONIBILITES_SEUIL_ANCIEN_HEURES = float(os.environ.get("DISPONIBILITES_SEUIL_ANCIEN_HEURES", "12"))
DISPONIBILITES_SEUIL_OBSOLETE_HEURES = float(os.environ.get("DISPONIBILITES_SEUIL_OBSOLETE_HEURES", "24"))
# How often the regional board asks the server for fresh figures (seconds).
DISPONIBILITES_RAFRAICHISSEMENT_SECONDES = int(os.environ.get("DISPONIBILITES_RAFRAICHISSEMENT_SECONDES", "30"))
# Days shown by the history charts.
DISPONIBILITES_HISTORIQUE_JOURS = int(os.environ.get("DISPONIBILITES_HISTORIQUE_JOURS", "7"))
# During a situation de tension, late units are reminded by e-mail at most this often.
DISPONIBILITES_RELANCE_MINUTES = int(os.environ.get("DISPONIBILITES_RELANCE_MINUTES", "60"))
CELERY_BEAT_SCHEDULE["disponibilites-relancer-retards"] = {
    "task": "disponibilites.tasks.relancer_unites_en_retard",
    "schedule": 15 * 60,
}

# --- dossiers ---
# Address of the portal used in the e-mails of the dossiers collaboratifs.
ROR_URL_PORTAIL = os.environ.get("ROR_URL_PORTAIL", "http://127.0.0.1:8000")

# --- imports / qualite ---
from celery.schedules import crontab  # noqa: E402


def _departements_de_la_region(code_region: str) -> list[str]:
    import json

    with open(BASE_DIR / "fixtures" / "communes" / "departements.json", encoding="utf-8") as f:
        return sorted(d["code"] for d in json.load(f) if d["region"] == code_region)


# FINESS import perimeter: the région's départements, or the whole file with FINESS_PERIMETRE=national.
FINESS_DEPARTEMENTS = (None if os.environ.get("FINESS_PERIMETRE", "region") == "national"
                       else env_list("FINESS_DEPARTEMENTS", ",".join(_departements_de_la_region(ROR_REGION_CODE))))
# The weekly import reads this file when it is set (e.g. dropped by a nightly download).
FINESS_FICHIER_PLANIFIE = os.environ.get("FINESS_FICHIER_PLANIFIE", "")
CELERY_BEAT_SCHEDULE["imports-finess-hebdomadaire"] = {
    "task": "imports.tasks.import_hebdomadaire", "schedule": crontab(day_of_week="mon", hour=5, minute=0)}
CELERY_BEAT_SCHEDULE["qualite-relances-mensuelles"] = {
    "task": "qualite.tasks.relancer_referents", "schedule": crontab(day_of_month="1", hour=7, minute=0)}
# Quality: yearly verification; référents are reminded one month before it is due.
QUALITE_MOIS_VERIFICATION = 12
QUALITE_MOIS_RELANCE = 11

# --- interop ---
# ViaTrajectoire: HTTPS endpoint receiving the published changes as FHIR transaction
# Bundles (empty: nothing is sent, changes wait in the outbox), its bearer token,
# and the retry policy (exponential backoff: base × 2^n seconds, capped).
VIATRAJECTOIRE_URL = os.environ.get("VIATRAJECTOIRE_URL", "")
VIATRAJECTOIRE_JETON = os.environ.get("VIATRAJECTOIRE_JETON", "")
VIATRAJECTOIRE_TIMEOUT = float(os.environ.get("VIATRAJECTOIRE_TIMEOUT", "20"))
VIATRAJECTOIRE_BACKOFF_BASE = float(os.environ.get("VIATRAJECTOIRE_BACKOFF_BASE", "30"))
VIATRAJECTOIRE_BACKOFF_MAX = float(os.environ.get("VIATRAJECTOIRE_BACKOFF_MAX", "3600"))
VIATRAJECTOIRE_MAX_RETRIES = int(os.environ.get("VIATRAJECTOIRE_MAX_RETRIES", "8"))
CELERY_BEAT_SCHEDULE["synchroniser-viatrajectoire"] = {
    "task": "interop.tasks.synchroniser_viatrajectoire",
    "schedule": float(os.environ.get("VIATRAJECTOIRE_PERIODE", "300")),
}
