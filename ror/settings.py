"""Settings of the ROR portal: one file, driven by the environment.

Local use needs no variable at all: the embedded PostgreSQL starts under var/,
Celery uses a broker on the file system, e-mails go to var/mails.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ROR_VAR_DIR", BASE_DIR / "var"))


VRAI = {"1", "true", "yes", "oui", "on"}
FAUX = {"0", "false", "no", "non", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no variable; a value that is neither is an error, never a silent False."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in VRAI:
        return True
    if value in FAUX:
        return False
    raise ImproperlyConfigured(f"{name}={os.environ[name]!r} : valeur illisible, attendu 1 ou 0 "
                               "(true/false, oui/non, on/off).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} : un nombre entier est attendu.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Development values are set explicitly by `make run` and the tests (pyproject, pytest-env):
# anywhere else DEBUG is off, and a production start without a real secret or host names fails.
DEBUG = env_bool("DEBUG", False)
CLE_DE_DEVELOPPEMENT = "dev-only-not-secret-change-me-in-production-" + "x" * 20
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip()
# Rotation: the previous key stays here while sessions and links signed with it expire.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
if DEBUG:
    SECRET_KEY = SECRET_KEY or CLE_DE_DEVELOPPEMENT
else:
    if (not SECRET_KEY or SECRET_KEY == CLE_DE_DEVELOPPEMENT or SECRET_KEY.startswith("changez-moi")
            or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
        raise ImproperlyConfigured(
            "DEBUG est désactivé : SECRET_KEY doit être une vraie clé secrète d'au moins 50 caractères "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "En développement, `make run` et les tests posent DEBUG=1.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG est désactivé : ALLOWED_HOSTS doit nommer les hôtes servis "
                                   "(ex. ALLOWED_HOSTS=ror.exemple.fr).")

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
    "socle.middleware.AdresseDuClient",  # first: REMOTE_ADDR is the client's when a proxy is declared
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, right after SecurityMiddleware
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

# PostgreSQL only: DATABASE_URL, or the embedded server started on demand. Accepted forms:
# postgres://user:password@host:5432/name (TCP), postgres://user@/name?host=/run/postgresql
# or postgres://%2Frun%2Fpostgresql/name (Unix socket), and libpq options in the query
# string (?sslmode=require&connect_timeout=5).
if os.environ.get("DATABASE_URL", "").strip():
    _database_url = os.environ["DATABASE_URL"].strip()
else:
    from socle.embedded_db import database_url

    _database_url = database_url(BASE_DIR)


def _base_de_donnees(url: str) -> dict:
    try:
        base = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True)
    except Exception as erreur:  # the message never repeats the URL: it may hold a password
        raise ImproperlyConfigured(f"DATABASE_URL illisible ({type(erreur).__name__}) : "
                                   "attendu postgres://utilisateur:mot-de-passe@hôte:5432/base.") from None
    if not str(base.get("ENGINE", "")).endswith("postgresql"):
        raise ImproperlyConfigured("Le portail ROR fonctionne uniquement avec PostgreSQL (DATABASE_URL=postgres://…).")
    if not base.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL ne nomme pas de base (postgres://…/nom_de_la_base).")
    options = base.setdefault("OPTIONS", {})
    if "host" in options:  # Unix socket given as ?host=/path
        base["HOST"] = options.pop("host")
    if "port" in options:
        base["PORT"] = options.pop("port")
    return base


DATABASES = {"default": _base_de_donnees(_database_url)}
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
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
# Static files: served by the application itself (WhiteNoise). In production (DEBUG off) from
# `collectstatic`, names hashed and compressed, cached for a year; in development, from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG  # decided here, not by the tests' runtime DEBUG
WHITENOISE_MAX_AGE = 3600  # unhashed names (rare); hashed ones are immutable, cached for a year
# Uploaded files (photos, pièces jointes, FINESS files): never a public folder; each is served by
# repertoire.views.fichier_protege after checking the right to its fiche or import.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_PERMISSIONS = 0o640

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
# Cache (beds board, counts): on Redis with REDIS_URL, shared by every gunicorn worker and the
# Celery processes; otherwise the per-process memory cache (one development server).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ.get("REDIS_CACHE_URL", REDIS_URL), "KEY_PREFIX": "ror"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from Redis, written through to the database
# The benches measure the work a page does, not a cache hit (bench/search.py, repertoire.py, fhir.py).
if os.environ.get("ROR_CACHE") == "aucun":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE: dict = {
    # A sign of life every minute, read by the health page (/sante/).
    "sante-battement": {"task": "socle.tasks.battement", "schedule": 60},
}

# Maps: the background is IGN's "Plan IGN" from the Géoplateforme (the State's free basemap,
# WMTS in Web Mercator "PM", as DSFR sites use it). LEAFLET_TILES_URL overrides it; set it
# empty for the offline mode (markers on a blank background).
TUILES_PLAN_IGN = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                   "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
                   "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
LEAFLET_TILES_URL = os.environ.get("LEAFLET_TILES_URL", TUILES_PLAN_IGN)
LEAFLET_TILES_ATTRIBUTION = os.environ.get(
    "LEAFLET_TILES_ATTRIBUTION",
    "Fond de carte © IGN – Géoplateforme (Plan IGN)" if LEAFLET_TILES_URL == TUILES_PLAN_IGN else "")
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (47.4, -0.8),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "TILES": [("Plan", LEAFLET_TILES_URL, {"attribution": LEAFLET_TILES_ATTRIBUTION})]
    if LEAFLET_TILES_URL
    else [],
    "RESET_VIEW": False,
}

CSRF_FAILURE_VIEW = "socle.erreurs.echec_csrf"  # French, in the site's layout

# The region this portal serves (Pays de la Loire by default).
ROR_REGION_CODE = os.environ.get("ROR_REGION_CODE", "52")
ROR_REGION_NOM = os.environ.get("ROR_REGION_NOM", "Pays de la Loire")
ROR_SITE_TITLE = os.environ.get("ROR_SITE_TITLE", f"ROR {ROR_REGION_NOM}")
ROR_OPERATEUR = os.environ.get("ROR_OPERATEUR", "GRADeS e-santé (démonstration)")
# Beyond this many units, the PDF of an EG is produced by a Celery task with its progress.
ROR_PDF_SEUIL_ASYNCHRONE = int(os.environ.get("ROR_PDF_SEUIL_ASYNCHRONE", "3"))

# Déclaration d'accessibilité (RGAA 4.1): the figures of the last audit, which the GRADeS
# operating the portal updates after its own audit. Without a rate the portal is declared
# "non conforme", as the RGAA requires when no complete audit has been made.
ROR_ACCESSIBILITE = {
    "taux": os.environ.get("ROR_ACCESSIBILITE_TAUX", ""),  # % of applicable RGAA criteria met, e.g. "74.5"
    "date_audit": os.environ.get("ROR_ACCESSIBILITE_DATE_AUDIT", ""),  # e.g. "15/11/2026"
    "auditeur": os.environ.get("ROR_ACCESSIBILITE_AUDITEUR", ""),
    "methode": os.environ.get(
        "ROR_ACCESSIBILITE_METHODE",
        "Auto-évaluation par l'équipe de développement (pas un audit complet) : règles WCAG 2.1 A et AA "
        "vérifiées automatiquement par axe-core sur les pages principales à chaque intégration, parcours au "
        "clavier seul, et contrôle manuel des 13 thématiques du RGAA 4.1 sur les pages de recherche et de fiche."),
    "date_declaration": os.environ.get("ROR_ACCESSIBILITE_DATE_DECLARATION", "02/12/2026"),
    "contact_email": os.environ.get("ROR_ACCESSIBILITE_CONTACT", "accessibilite@ror.example.fr"),
    "contact_adresse": os.environ.get("ROR_ACCESSIBILITE_ADRESSE", ""),
    # What is known not to be accessible (kept in step with the README's RGAA check).
    "non_conformites": [
        "La carte des résultats et la carte des disponibilités en lits ne se lisent pas sans la vue : "
        "la vue « Liste » de la recherche et le tableau régional des lits donnent les mêmes informations.",
        "Les documents PDF (fiches exportées) n'ont pas été vérifiés.",
        "Les pages d'administration technique (/admin/) réservées à l'exploitant ne sont pas évaluées.",
    ],
    "derogations": [
        "Documents déposés par les structures sur leurs fiches (contenus de tiers).",
        "Fonds de carte fournis par un service tiers, lorsqu'ils sont configurés (contenu de tiers).",
    ],
}

# Security (HTTPS settings take effect when DEBUG is off).
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A reverse proxy (Caddy in docker-compose.yml) is trusted only when the deployment says one is
# there: ROR_PROXIES_DE_CONFIANCE = how many proxies stand in front (X-Forwarded-For entries to
# skip from the right, read by socle.middleware.AdresseDuClient for django-axes and the audit
# log), and X-Forwarded-Proto tells HTTPS. Without it, both headers are ignored (forgeable).
ROR_PROXIES_DE_CONFIANCE = env_int("ROR_PROXIES_DE_CONFIANCE", 0)
if ROR_PROXIES_DE_CONFIANCE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The health page answers the monitoring over plain HTTP inside the deployment's network.
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Error reports (DEBUG pages, mails to admins) mask these settings too: the API token, URLs with passwords.
DEFAULT_EXCEPTION_REPORTER_FILTER = "socle.erreurs.FiltreDesSecrets"

# No SRI digests on the DSFR files: they are served from this site, and in production
# collectstatic's manifest storage rewrites the url() inside the DSFR CSS, so the package's digest
# of the original file no longer matched and Chromium blocked the stylesheet (every page unstyled).
DSFR_USE_INTEGRITY_CHECKSUMS = False

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
# Every form (the portal's, /admin/login/) also goes through comptes.ralentissement (2-4-8 s), and one
# address failing this many times over all accounts within the cool-off waits it out.
AXES_HANDLER = "comptes.backends.GestionnaireAxes"
ROR_ECHECS_PAR_ADRESSE = env_int("ROR_ECHECS_PAR_ADRESSE", 30)
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
def politique_csp(tuiles_url: str) -> dict:
    """The policy, whose images allow the maps' tile server (a test serving its own tiles uses it too)."""
    from urllib.parse import urlsplit

    images = ["'self'", "data:"]
    if tuiles_url:
        images.append("{0.scheme}://{0.netloc}".format(urlsplit(tuiles_url)))
    return {
        "DIRECTIVES": {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "style-src-attr": ["'unsafe-inline'"],
            "img-src": images,
            "font-src": ["'self'", "data:"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
            "frame-ancestors": ["'none'"],
        },
    }


CONTENT_SECURITY_POLICY = politique_csp(LEAFLET_TILES_URL)
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
# The daily import: the data.gouv.fr JSON flux fetched by the worker when reachable
# (FINESS_URL_STRUCTURES, FINESS_URL_ACTIVITES), else these files (offline: dropped there by
# a nightly download; a CSV extract works too).
FINESS_FICHIER_PLANIFIE = os.environ.get("FINESS_FICHIER_PLANIFIE", "")
FINESS_FICHIER_ACTIVITES_PLANIFIE = os.environ.get("FINESS_FICHIER_ACTIVITES_PLANIFIE", "")
FINESS_URL_STRUCTURES = os.environ.get("FINESS_URL_STRUCTURES", "")
FINESS_URL_ACTIVITES = os.environ.get("FINESS_URL_ACTIVITES", "")
# An import that would close more than this share of the perimeter's open establishments
# (or whose file covers fewer départements than the perimeter) stops at its preview.
FINESS_SEUIL_FERMETURES = float(os.environ.get("FINESS_SEUIL_FERMETURES", "0.02"))
CELERY_BEAT_SCHEDULE["jetons-api-rappels-expiration"] = {
    "task": "repertoire.tasks.rappeler_expiration_jetons", "schedule": crontab(hour=8, minute=0)}
CELERY_BEAT_SCHEDULE["imports-finess-hebdomadaire"] = {
    "task": "imports.tasks.import_hebdomadaire", "schedule": crontab(hour=5, minute=0)}
CELERY_BEAT_SCHEDULE["qualite-releve-hebdomadaire"] = {
    "task": "qualite.tasks.releve_hebdomadaire", "schedule": crontab(day_of_week="mon", hour=6, minute=0)}
CELERY_BEAT_SCHEDULE["qualite-relances-mensuelles"] = {
    "task": "qualite.tasks.relancer_referents", "schedule": crontab(day_of_month="1", hour=7, minute=0)}
CELERY_BEAT_SCHEDULE["qualite-relances-campagnes"] = {
    "task": "qualite.tasks.relancer_campagnes", "schedule": crontab(hour=8, minute=0)}
# Quality: yearly verification; référents are reminded one month before it is due.
QUALITE_MOIS_VERIFICATION = 12
QUALITE_MOIS_RELANCE = 11

# --- interop ---
# ViaTrajectoire: HTTPS endpoint receiving the published changes as FHIR transaction
# Bundles (empty: nothing is sent, changes wait in the outbox), its bearer token,
# and the retry policy (exponential backoff: base × 2^n seconds, capped).
VIATRAJECTOIRE_URL = os.environ.get("VIATRAJECTOIRE_URL", "")
VIATRAJECTOIRE_JETON = os.environ.get("VIATRAJECTOIRE_JETON", "")
# ViaTrajectoire's ANS access profile (0-5, repertoire.models.ProfilAcces): 2 by default, so the
# sensitive units (accès très restreint) are not sent; 1 or 4 if the ANS granted it that profile.
VIATRAJECTOIRE_PROFIL_ACCES = env_int("VIATRAJECTOIRE_PROFIL_ACCES", 2)
VIATRAJECTOIRE_TIMEOUT = float(os.environ.get("VIATRAJECTOIRE_TIMEOUT", "20"))
VIATRAJECTOIRE_BACKOFF_BASE = float(os.environ.get("VIATRAJECTOIRE_BACKOFF_BASE", "30"))
VIATRAJECTOIRE_BACKOFF_MAX = float(os.environ.get("VIATRAJECTOIRE_BACKOFF_MAX", "3600"))
VIATRAJECTOIRE_MAX_RETRIES = int(os.environ.get("VIATRAJECTOIRE_MAX_RETRIES", "8"))

# FHIR Bulk Data $export: where the NDJSON files go (outside MEDIA: served only to the token that
# asked), and how long they are kept.
FHIR_EXPORT_DIR = Path(os.environ.get("FHIR_EXPORT_DIR", MEDIA_ROOT.parent / "exports_fhir"))
FHIR_EXPORT_DUREE_HEURES = env_int("FHIR_EXPORT_DUREE_HEURES", 24)
# API tokens (FHIR, beds) expire: default life, and the reminders to the gestionnaires before.
ROR_JETON_DUREE_JOURS = env_int("ROR_JETON_DUREE_JOURS", 365)
ROR_JETON_RAPPELS_JOURS = (30, 7)
# Open data: produced every night into OPENDATA_DIR (default MEDIA_ROOT/opendata), served as files.
OPENDATA_DIR = os.environ.get("OPENDATA_DIR", "")
CELERY_BEAT_SCHEDULE["opendata-production"] = {
    "task": "interop.tasks.produire_opendata", "schedule": crontab(hour=4, minute=30)}
CELERY_BEAT_SCHEDULE["synchroniser-viatrajectoire"] = {
    "task": "interop.tasks.synchroniser_viatrajectoire",
    "schedule": float(os.environ.get("VIATRAJECTOIRE_PERIODE", "300")),
}
