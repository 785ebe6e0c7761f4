"""Settings for the embedded demo and for development.

Everything comes from environment variables with defaults that are safe for a
single-machine demo: SQLite under ``var/``, the database task queue, e-mail into
the local out-box. ``billfold.settings.production`` tightens these.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("BILLFOLD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Read SECRET_KEY from the environment, or from a key generated once."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("BILLFOLD_DEBUG")
# The demo out-box page and printed demo logins exist only with this on.
BILLFOLD_DEMO = env_bool("BILLFOLD_DEMO", default=True)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "billfold.core",
    "billfold.billers",
    "billfold.audit",
    "billfold.servicing",
    "billfold.accounts",
    "billfold.notifications",
    "billfold.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "billfold.accounts.middleware.CustomerSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "billfold.urls"
# Parts of the accounts app kept in sub-packages, each with its own templates,
# static files and Spanish catalog.
ACCOUNT_PARTS = ("recovery", "mfa", "security")
WSGI_APPLICATION = "billfold.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [
            BASE_DIR / "billfold" / "templates",
            *(
                BASE_DIR / "billfold" / "accounts" / sub / "templates"
                for sub in ACCOUNT_PARTS
            ),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "billfold.core.context_processors.billfold",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'billfold.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "billfold",
        }
    }
else:
    # The database cache is shared by the web server and the worker, so throttle
    # counters hold across processes even without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "billfold_cache",
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "billfold.accounts.backends.BillerBackend",
    "billfold.accounts.backends.StaffBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "/"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
# The public address of this installation, for links in mail sent outside a
# request (commands, the worker). Requests use their own host.
BILLFOLD_BASE_URL = os.environ.get("BILLFOLD_BASE_URL", "")
# A local list of breached-password SHA-1 hashes (one per line, optionally
# ":count"); checked offline on every new password. Empty: common list only.
BILLFOLD_BREACHED_PASSWORDS_FILE = os.environ.get(
    "BILLFOLD_BREACHED_PASSWORDS_FILE", ""
)
# Number of reverse proxies in front of the app; 0 means REMOTE_ADDR is the client.
BILLFOLD_TRUSTED_PROXIES = int(os.environ.get("BILLFOLD_TRUSTED_PROXIES", "0"))

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Sub-packages with their own catalogs (app catalogs are found by Django itself).
LOCALE_PATHS = [
    BASE_DIR / "billfold" / "locale",
    *(BASE_DIR / "billfold" / "accounts" / sub / "locale" for sub in ACCOUNT_PARTS),
]
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    BASE_DIR / "billfold" / "static",
    *(BASE_DIR / "billfold" / "accounts" / sub / "static" for sub in ACCOUNT_PARTS),
]
WHITENOISE_USE_FINDERS = True

# Mail leaves through SMTP when EMAIL_HOST is set; otherwise messages stay in
# the local out-box (readable at /outbox/ in the demo) and are not delivered.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS"),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billing@billfold.localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Usernames are unique per biller, not globally; both backends name the biller.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
