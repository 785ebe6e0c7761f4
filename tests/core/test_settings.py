"""The production settings module refuses an unsafe shape and tightens cookies."""

import os
import subprocess
import sys

PROBE = (
    "import django.conf as c, billfold.settings.production as p; "
    "print(p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE, p.DEBUG, "
    "p.DATABASES['default']['CONN_MAX_AGE'], p.CACHES['default']['BACKEND'])"
)


def _run(**env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_sqlite():
    result = _run(REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 1
    assert "Production needs DATABASE_URL=postgres://" in result.stderr


def test_production_refuses_missing_redis():
    result = _run(DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.returncode == 1
    assert "Production needs REDIS_URL" in result.stderr


def test_production_keeps_connections_and_secures_cookies():
    result = _run(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "False",
        "600",
        "django.core.cache.backends.redis.RedisCache",
    ]
