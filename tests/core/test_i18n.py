"""Catalogs compile without GNU gettext; the language switch is remembered."""

import gettext
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command


def test_catalogs_compile_in_pure_python(tmp_path, settings, monkeypatch):
    source = (
        Path(settings.BASE_DIR)
        / "billfold"
        / "locale"
        / "es"
        / "LC_MESSAGES"
        / "django.po"
    )
    target = tmp_path / "billfold" / "locale" / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(source, target / "django.po")
    settings.BASE_DIR = tmp_path
    monkeypatch.setenv("PATH", str(tmp_path))  # no msgfmt to be found

    call_command("compilemessages_py", quiet=True)

    with (target / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext("Contact us") == "Contáctenos"


@pytest.mark.django_db
def test_language_switch_is_remembered_across_requests(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "es"
    page = client.get("/")
    assert page.headers["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()
