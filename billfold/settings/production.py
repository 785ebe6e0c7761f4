"""Production settings: PostgreSQL, Redis, secure cookies, no demo pages."""

import os

from django.core.exceptions import ImproperlyConfigured

from billfold.settings import *  # noqa: F403
from billfold.settings import DATABASES, REDIS_URL, env_bool

DEBUG = False
BILLFOLD_DEMO = env_bool("BILLFOLD_DEMO", default=False)

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production needs DATABASE_URL=postgres://…")
if not REDIS_URL:
    raise ImproperlyConfigured(
        "Production needs REDIS_URL: throttle counters live there."
    )
# A new PostgreSQL connection costs ~9 ms; keep them open between requests.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "600"))

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
