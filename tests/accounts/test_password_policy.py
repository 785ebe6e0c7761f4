"""The per-biller password policy, the reuse history and the one password change."""
# ruff: noqa: RUF001  (Greek letters and full-width digits are the point of these tests)

import hashlib
from unittest import mock

import pytest
from django.contrib.auth.hashers import check_password
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from billfold.accounts.models import PasswordHistory
from billfold.accounts.security import passwords
from billfold.accounts.security.forms import NewPasswordForm
from billfold.accounts.security.passwords import (
    PasswordPolicyError,
    checklist,
    password_change,
    password_problems,
    policy_rules,
    sha1_in_file,
)
from billfold.audit.models import ActivityEvent
from billfold.notifications.models import OutboxMessage
from tests.accounts.conftest import UserFactory
from tests.factories import BillerFactory

pytestmark = pytest.mark.django_db


SHORT_8 = "Use at least 8 characters."
SHORT_15 = "Use at least 15 characters."
LETTERS_2 = "Use at least 2 letters."
DIGITS_2 = "Use at least 2 digits."
TOO_LONG = "Use no more than 128 characters."
COMMON = "This password is too common or is known from a data breach. Choose another."
CONTEXT = (
    "Do not use your username, your email address or the name Sunrise Leasing "
    "in your password."
)
REUSED = "You have used this password before. Choose one you have not used."

# 64 code points: Spanish, Greek, Japanese, emoji, Cyrillic, digits, spaces.
UNICODE_64 = "ñandú Ωμέγα 東京タワー 🦙🌵 Привет мир 42 Kiwi-Lemon-Mango-Papaya-Plum7"
UNIT = "Lantern-Harbor-93-"


def long_password(length: int) -> str:
    return (UNIT * 10)[:length]


USERNAME = "marigold77"
EMAIL = "ocelot@quokka.example"


def seed_000_biller(**extra):
    """The policy of seed 000: 8+ characters, 2+ letters, 2+ digits, no reuse."""
    policy = {
        "name": "Sunrise Leasing",
        "password_min_length": 8,
        "password_min_letters": 2,
        "password_min_digits": 2,
        "password_history": 24,
    }
    return BillerFactory(**{**policy, **extra})


def default_biller(**extra):
    """A new biller: NIST SP 800-63B style, 15+ characters, no composition rules."""
    return BillerFactory(name="Sunrise Leasing", **extra)


def problems(biller, password):
    return password_problems(
        biller=biller, password=password, username=USERNAME, email=EMAIL
    )


def test_unicode_fixture_is_64_code_points_and_long_ones_as_asked():
    assert len(UNICODE_64) == 64
    assert len(long_password(65)) == 65
    assert len(long_password(129)) == 129


SEED_000_TABLE = [
    ("tulip42river", []),
    ("Zebra4Mango7", []),
    ("ωμέγα98πλοίο", []),  # Greek letters are letters
    ("１２ab３４cd", []),  # full-width digits are digits after NFKC
    (UNICODE_64, []),
    (long_password(65), []),
    (long_password(128), []),
    ("correct horse 12", []),  # spaces are allowed
    ("short1a", [SHORT_8, DIGITS_2]),
    ("ab12", [SHORT_8]),
    ("n\u0303andu42", [SHORT_8]),  # 8 code points typed, 7 after NFKC
    ("Zebra4Mango", [DIGITS_2]),
    ("1234567890123456a", [LETTERS_2]),
    ("correct horse battery", [DIGITS_2]),
    ("password123", [COMMON]),
    ("qwerty123456789", [COMMON]),
    ("PASSWORD123", [COMMON]),  # the list is compared without case
    ("12345678a", [LETTERS_2, COMMON]),
    (long_password(129), [TOO_LONG]),
    ("Sunrise2024xx", [CONTEXT]),  # the biller's name
    ("myLEASING99", [CONTEXT]),  # any word of 4+ letters of it, any case
    ("Marigold77-tea", [CONTEXT]),  # the username
    ("ocelot-rocks-42", [CONTEXT]),  # the email's local part
    ("Quokka99zz", [CONTEXT]),  # the email's domain name
]


@pytest.mark.parametrize(("password", "expected"), SEED_000_TABLE)
def test_seed_000_policy_accepts_and_refuses(password, expected):
    assert problems(seed_000_biller(), password) == expected


DEFAULT_TABLE = [
    ("correct horse battery", []),
    ("fifteen chars!!", []),  # exactly 15, no digits needed
    ("1234567890123456", []),  # no composition rules
    (UNICODE_64, []),
    (long_password(65), []),
    (long_password(128), []),
    ("fourteen chars", [SHORT_15]),
    ("tulip42river", [SHORT_15]),
    ("qwerty123456789", [COMMON]),
    ("password123", [SHORT_15, COMMON]),
    (long_password(129), [TOO_LONG]),
    ("sunrise over the bay", [CONTEXT]),
    ("the quokka is a marsupial", [CONTEXT]),
]


@pytest.mark.parametrize(("password", "expected"), DEFAULT_TABLE)
def test_default_policy_accepts_and_refuses(password, expected):
    assert problems(default_biller(), password) == expected


def test_maximum_length_is_the_billers_setting():
    biller = default_biller(password_max_length=64)
    assert problems(biller, UNICODE_64) == []
    assert problems(biller, UNICODE_64 + "x") == ["Use no more than 64 characters."]


def test_short_context_words_are_not_refused():
    biller = BillerFactory(name="Bay Co", password_min_length=8)
    assert (
        password_problems(
            biller=biller, password="bay co ann 4711", username="ann", email="ann@co.us"
        )
        == []
    )


def test_context_words_come_from_the_user_when_given():
    biller = default_biller()
    user = UserFactory(biller=biller, username="periwinkle", email="sam@walrus.example")
    assert password_problems(
        biller=biller, password="my periwinkle shoes", user=user
    ) == [CONTEXT]
    assert password_problems(
        biller=biller, password="the walrus and the carpenter", user=user
    ) == [CONTEXT]


# --- the breached-password file ---------------------------------------------


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest().upper()


@pytest.fixture
def breached_file(tmp_path):
    """A sorted "HASH:COUNT" file like the public range files, 2,001 lines."""
    hashes = {sha1(f"filler-{n}") for n in range(2000)} | {
        sha1("Ember-Falcon-Quilt-81")
    }
    path = tmp_path / "breached.txt"
    path.write_text("".join(f"{h}:{n + 1}\n" for n, h in enumerate(sorted(hashes))))
    return path


@pytest.mark.parametrize("set_max_bytes", [0, 10**9], ids=["binary-search", "set"])
def test_breached_file_finds_listed_passwords_only(breached_file, set_max_bytes):
    lines = breached_file.read_text().splitlines()
    first, last = lines[0].split(":")[0], lines[-1].split(":")[0]
    assert sha1_in_file(
        str(breached_file), "Ember-Falcon-Quilt-81", set_max_bytes=set_max_bytes
    )
    assert sha1_in_file(str(breached_file), "filler-0", set_max_bytes=set_max_bytes)
    assert sha1_in_file(str(breached_file), "filler-1999", set_max_bytes=set_max_bytes)
    assert not sha1_in_file(
        str(breached_file), "Ember-Falcon-Quilt-82", set_max_bytes=set_max_bytes
    )
    # The first and last lines are found too (the edges of the search).
    by_hash = {sha1(f"filler-{n}"): f"filler-{n}" for n in range(2000)}
    by_hash[sha1("Ember-Falcon-Quilt-81")] = "Ember-Falcon-Quilt-81"
    assert sha1_in_file(str(breached_file), by_hash[first], set_max_bytes=set_max_bytes)
    assert sha1_in_file(str(breached_file), by_hash[last], set_max_bytes=set_max_bytes)


def test_breached_file_setting_refuses_a_listed_password(settings, breached_file):
    biller = default_biller()
    assert problems(biller, "Ember-Falcon-Quilt-81") == []
    settings.BILLFOLD_BREACHED_PASSWORDS_FILE = str(breached_file)
    assert problems(biller, "Ember-Falcon-Quilt-81") == [COMMON]
    assert problems(biller, "Ember-Falcon-Quilt-82") == []


# --- history -----------------------------------------------------------------


def numbered(n: int) -> str:
    return f"Orchid-{n:02d}-Meadow-Lantern"


def change(user, password, **extra):
    password_change(
        user=user,
        new_password=password,
        actor_kind="customer",
        actor_id=user.pk,
        **extra,
    )


def user_with_history(biller, changes: int):
    """A user whose password was numbered(0), then numbered(1) … numbered(changes)."""
    user = UserFactory(
        biller=biller, username=USERNAME, email=EMAIL, password=numbered(0)
    )
    for n in range(1, changes + 1):
        change(user, numbered(n), notify=False)
    return user


def test_each_of_the_last_24_passwords_is_refused_and_the_25th_allowed():
    biller = seed_000_biller()
    user = user_with_history(biller, 24)
    refused = [
        n
        for n in range(0, 25)
        if password_problems(biller=biller, password=numbered(n), user=user) == [REUSED]
    ]
    assert refused == list(range(1, 25))
    change(user, numbered(0))
    assert user.check_password(numbered(0))


@pytest.mark.parametrize(
    ("n", "refused"), [(3, True), (2, True), (1, True), (0, False)]
)
def test_history_of_three_counts_the_current_password(n, refused):
    biller = seed_000_biller(password_history=3)
    user = user_with_history(biller, 3)
    expected = [REUSED] if refused else []
    assert password_problems(biller=biller, password=numbered(n), user=user) == expected


def test_current_password_set_elsewhere_counts_as_used():
    biller = seed_000_biller()
    user = UserFactory(
        biller=biller, username=USERNAME, email=EMAIL, password=numbered(7)
    )
    assert password_problems(biller=biller, password=numbered(7), user=user) == [REUSED]


def test_history_is_hashed_with_argon2id_at_owasp_minimum_cost(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    encoded = passwords.history_hash("Tulip-42-River")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Tulip-42-River", encoded)
    assert not check_password("Tulip-42-Rivet", encoded)


def test_history_hash_is_never_dearer_than_the_configured_hasher():
    # The suite's own hasher is tiny; the history follows it down.
    assert passwords.history_hash("Tulip-42-River").startswith(
        "argon2$argon2id$v=19$m=64,t=1,p=1$"
    )


def test_history_keeps_only_as_many_hashes_as_the_policy_needs():
    biller = seed_000_biller(password_history=4)
    user = user_with_history(biller, 9)
    assert PasswordHistory.objects.filter(user=user).count() == 4


def test_without_history_the_current_password_may_be_set_again():
    biller = default_biller()
    user = user_with_history(biller, 2)
    assert password_problems(biller=biller, password=numbered(2), user=user) == []
    change(user, numbered(2))
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_reuse_is_checked_only_when_the_other_rules_pass():
    biller = seed_000_biller()
    user = user_with_history(biller, 1)
    with mock.patch.object(passwords, "check_password") as check:
        assert password_problems(biller=biller, password="zqx", user=user) == [
            SHORT_8,
            DIGITS_2,
        ]
    check.assert_not_called()


# --- password_change -----------------------------------------------------------


def test_password_change_sets_records_and_notifies(rf_request):
    biller = seed_000_biller()
    user = UserFactory(
        biller=biller, username=USERNAME, email=EMAIL, setup_required=True
    )
    change(user, "Tulip-42-River", request=rf_request, reason="recovery")
    user.refresh_from_db()
    assert user.check_password("Tulip-42-River")
    assert user.password_changed_at is not None
    assert user.setup_required is True
    remembered = PasswordHistory.objects.get(user=user)
    assert remembered.created_at == user.password_changed_at
    assert remembered.password != user.password
    assert check_password("Tulip-42-River", remembered.password)
    event = ActivityEvent.objects.get(action="password.change")
    assert (event.biller, event.actor_kind, event.actor_id) == (
        biller,
        "customer",
        str(user.pk),
    )
    assert (event.target_type, event.target_id) == ("user", str(user.pk))
    assert event.details == {"reason": "recovery"}
    assert "Tulip" not in str(event.details)
    message = OutboxMessage.objects.get()
    assert (message.kind, message.to_address, message.user) == (
        "password_changed",
        EMAIL,
        user,
    )
    assert f"http://testserver/b/{biller.slug}/" in message.body_text


def test_password_change_without_notice_sends_nothing():
    user = UserFactory(biller=seed_000_biller(), username=USERNAME, email=EMAIL)
    change(user, "Tulip-42-River", notify=False)
    assert OutboxMessage.objects.count() == 0
    assert ActivityEvent.objects.filter(action="password.change").count() == 1


def test_refused_password_changes_nothing():
    user = UserFactory(biller=seed_000_biller(), username=USERNAME, email=EMAIL)
    before = user.password
    with pytest.raises(PasswordPolicyError) as refused:
        change(user, "password123")
    assert refused.value.code == "password_policy"
    assert refused.value.field == "new_password1"
    assert refused.value.problems == [COMMON]
    assert refused.value.codes == ["common"]
    user.refresh_from_db()
    assert user.password == before
    assert ActivityEvent.objects.filter(action="password.change").count() == 0
    assert OutboxMessage.objects.count() == 0


def test_password_change_is_one_transaction_with_its_notice():
    user = UserFactory(biller=seed_000_biller(), username=USERNAME, email=EMAIL)
    before = user.password
    with (
        mock.patch(
            "billfold.notifications.services.email_enqueue",
            side_effect=RuntimeError("down"),
        ),
        pytest.raises(RuntimeError),
    ):
        change(user, "Tulip-42-River")
    user.refresh_from_db()
    assert user.password == before
    assert PasswordHistory.objects.filter(user=user).count() == 0
    assert ActivityEvent.objects.filter(action="password.change").count() == 0


@pytest.fixture
def rf_request():
    return RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")


# --- the checklist and the form -----------------------------------------------

SEED_RULES_EN = [
    ("min_length", "At least 8 characters"),
    ("max_length", "No more than 128 characters"),
    ("min_letters", "At least 2 letters"),
    ("min_digits", "At least 2 digits"),
    ("common", "Not a common password or one known from a data breach"),
    (
        "context",
        "Does not contain your username, your email address or the name Sunrise Leasing",
    ),
    ("history", "Not one of your last 24 passwords"),
]
SEED_RULES_ES = [
    ("min_length", "Al menos 8 caracteres"),
    ("max_length", "No más de 128 caracteres"),
    ("min_letters", "Al menos 2 letras"),
    ("min_digits", "Al menos 2 dígitos"),
    (
        "common",
        "No es una contraseña común ni una conocida por una filtración de datos",
    ),
    (
        "context",
        "No contiene su nombre de usuario, su correo electrónico ni el nombre "
        "Sunrise Leasing",
    ),
    ("history", "No es ninguna de sus últimas 24 contraseñas"),
]


@pytest.mark.parametrize(
    ("language", "expected"), [("en", SEED_RULES_EN), ("es", SEED_RULES_ES)]
)
def test_checklist_has_exact_rule_texts(language, expected):
    biller = seed_000_biller()
    with translation.override(language):
        assert [(r.code, r.text) for r in checklist(biller)] == expected


def test_default_checklist_has_no_composition_or_history_rules():
    with translation.override("en"):
        rules = checklist(default_biller())
    assert [(r.code, r.text, r.live) for r in rules] == [
        ("min_length", "At least 15 characters", True),
        ("max_length", "No more than 128 characters", True),
        ("common", "Not a common password or one known from a data breach", False),
        (
            "context",
            "Does not contain your username, your email address or the name "
            "Sunrise Leasing",
            False,
        ),
    ]


def test_history_of_one_is_shown_as_not_the_current_password():
    with translation.override("en"):
        rules = checklist(seed_000_biller(password_history=1))
    assert rules[-1].text == "Not your current password"


def test_live_rules_check_what_the_server_checks():
    rules = {r.code: r.check for r in policy_rules(seed_000_biller())}
    assert rules["min_length"]("１２ab３４cd") is True
    assert rules["min_length"]("n\u0303andu42") is False
    assert rules["min_letters"]("ωx12") is True
    assert rules["min_digits"]("ab１２") is True
    assert rules["max_length"](long_password(128)) is True
    assert rules["max_length"](long_password(129)) is False


def render_fields(form) -> str:
    with translation.override("en"):
        return render_to_string(
            "accounts/security/_password_fields.html", {"form": form}
        )


def test_checklist_is_rendered_on_the_server_before_anything_is_typed():
    biller = seed_000_biller()
    user = UserFactory(biller=biller, username=USERNAME, email=EMAIL)
    html = render_fields(NewPasswordForm(biller, user))
    assert '<li data-rule="min_length" data-count="8">' in html
    assert '<li data-rule="min_digits" data-count="2">' in html
    assert '<li data-rule="history" data-count="24">' in html
    assert html.count("(checked when you submit)") == 3
    assert 'aria-describedby="password-checklist"' in html
    assert 'autocomplete="new-password"' in html
    assert '<label for="id_new_password1">New password</label>' in html
    assert '<label for="id_new_password2">Confirm new password</label>' in html
    assert "accounts/security/password-checklist.js" in html


def test_checklist_marks_rules_met_and_unmet_after_a_post():
    biller = seed_000_biller()
    user = UserFactory(biller=biller, username=USERNAME, email=EMAIL)
    form = NewPasswordForm(
        biller, user, data={"new_password1": "sunrisez9", "new_password2": "sunrisez9"}
    )
    assert not form.is_valid()
    html = render_fields(form)
    assert '<li data-rule="min_length" data-count="8" class="met">' in html
    assert '<li data-rule="min_letters" data-count="2" class="met">' in html
    assert '<li data-rule="min_digits" data-count="2" class="unmet">' in html
    assert '<li data-rule="common" class="met">' in html
    assert '<li data-rule="context" class="unmet">' in html
    # Reuse is checked only when the password is actually changed.
    assert '<li data-rule="history" data-count="24">' in html
    assert form.errors["new_password1"] == [DIGITS_2, CONTEXT]
    assert 'aria-describedby="id_new_password1_error password-checklist"' in html
    assert 'aria-invalid="true"' in html


def test_form_puts_a_mismatch_on_the_confirmation_field():
    biller = seed_000_biller()
    user = UserFactory(biller=biller, username=USERNAME, email=EMAIL)
    form = NewPasswordForm(
        biller,
        user,
        data={"new_password1": "Tulip-42-River", "new_password2": "Tulip-42-Rivet"},
    )
    assert not form.is_valid()
    assert form.errors == {"new_password2": ["The two passwords do not match."]}


def test_form_password_change_shows_reuse_on_the_password_field():
    biller = seed_000_biller()
    user = user_with_history(biller, 2)
    form = NewPasswordForm(
        biller, user, data={"new_password1": numbered(1), "new_password2": numbered(1)}
    )
    assert form.is_valid()
    assert form.password_change(actor_kind="customer", actor_id=user.pk) is False
    assert form.errors == {"new_password1": [REUSED]}
    html = render_fields(form)
    assert '<li data-rule="history" data-count="24" class="unmet">' in html


def test_form_password_change_changes_a_good_password():
    biller = seed_000_biller()
    user = user_with_history(biller, 1)
    form = NewPasswordForm(
        biller,
        user,
        data={"new_password1": "Tulip-42-River", "new_password2": "Tulip-42-River"},
    )
    assert form.is_valid()
    assert form.password_change(actor_kind="customer", actor_id=user.pk) is True
    user.refresh_from_db()
    assert user.check_password("Tulip-42-River")


def test_checklist_form_errors_are_in_spanish():
    biller = seed_000_biller()
    user = UserFactory(biller=biller, username=USERNAME, email=EMAIL)
    with translation.override("es"):
        short = NewPasswordForm(
            biller, user, data={"new_password1": "zq", "new_password2": "zq"}
        )
        assert short.errors == {
            "new_password1": [
                "Use al menos 8 caracteres.",
                "Use al menos 2 dígitos.",
            ]
        }
        mismatch = NewPasswordForm(
            biller, user, data={"new_password1": "Tulip-42-River", "new_password2": "x"}
        )
        assert mismatch.errors == {
            "new_password2": ["Las dos contraseñas no coinciden."]
        }


# --- the live checklist in a browser ------------------------------------------


@pytest.fixture
def checklist_page(chromium_path, settings):
    """The new-password fields in Chromium, with the checklist script and no server."""
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from billfold.accounts.models import User
    from billfold.billers.models import Biller

    biller = Biller(
        name="Sunrise Leasing",
        password_min_length=8,
        password_min_letters=2,
        password_min_digits=2,
        password_history=24,
    )
    user = User(biller=biller, username=USERNAME, email=EMAIL)
    html = render_fields(NewPasswordForm(biller, user))
    script = (
        Path(settings.BASE_DIR)
        / "billfold/accounts/security/static/accounts/security/password-checklist.js"
    ).read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path)
        page = browser.new_page()
        page.set_content(f"<!doctype html><html lang='en'><body>{html}</body></html>")
        page.add_script_tag(content=script)
        yield page
        browser.close()


def classes(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "li[data-rule]",
        "items => Object.fromEntries(items.map(i => [i.dataset.rule, i.className]))",
    )


@pytest.mark.browser
def test_checklist_updates_while_typing(checklist_page):
    field = checklist_page.get_by_label("New password", exact=True)
    assert classes(checklist_page) == {
        "min_length": "",
        "max_length": "",
        "min_letters": "",
        "min_digits": "",
        "common": "",
        "context": "",
        "history": "",
    }
    field.fill("ab1")
    assert classes(checklist_page) == {
        "min_length": "unmet",
        "max_length": "met",
        "min_letters": "met",
        "min_digits": "unmet",
        "common": "",
        "context": "",
        "history": "",
    }
    # Full-width digits count, as on the server (NFKC).
    field.fill("ab1\uff12cdef")
    assert classes(checklist_page)["min_digits"] == "met"
    assert classes(checklist_page)["min_length"] == "met"
    assert (
        checklist_page.locator("li[data-rule=min_digits] .state").text_content()
        == "done"
    )
    field.fill(long_password(129))
    assert classes(checklist_page)["max_length"] == "unmet"
    assert (
        checklist_page.locator("li[data-rule=max_length] .state").text_content()
        == "not yet"
    )
