"""Settings for the test suite: fast hashing, in-memory cache, locmem mail."""

from billfold.settings import *  # noqa: F403

# Argon2id still, with small costs: the suite hashes thousands of passwords.
PASSWORD_HASHERS = ["billfold.accounts.hashers.FastArgon2PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
BILLFOLD_DEMO = True
