"""Security questions: normalised, hashed answers; distinct questions."""

import pytest
from django.contrib.auth import get_user_model
from hypothesis import given
from hypothesis import strategies as st

from billfold.accounts.models import SecurityAnswer
from billfold.accounts.questions import (
    QUESTIONS,
    SecurityQuestionsForm,
    answer_normalize,
    security_answer_check,
    security_answers_set,
)
from billfold.audit.models import ActivityEvent

GOOD_ANSWERS = {
    "question_1": "first_pet",
    "answer_1": "Fluffy",
    "question_2": "birth_city",
    "answer_2": "Lima",
}


def answered_form(user, **changes):
    """The questions form for the user's biller, filled in well but for ``changes``."""
    return SecurityQuestionsForm(user.biller, data={**GOOD_ANSWERS, **changes})


@pytest.fixture
def user(biller):
    biller.security_question_count = 2
    biller.save()
    return get_user_model().objects.create_user(
        "ann@example.com", "ann@example.com", "x", biller=biller
    )


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("  Fluffy!! ", "fluffy"),
        ("FLUFFY", "fluffy"),
        ("St.  John's\tWood", "st john s wood"),
        ("\uff33\uff54\uff52\uff41\uff53\uff53\uff45", "strasse"),  # full-width
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_answer_normalize(raw, normalised):
    assert answer_normalize(raw) == normalised


@given(st.text())
def test_answer_normalize_is_idempotent(text):
    once = answer_normalize(text)
    assert answer_normalize(once) == once


@given(st.text())
def test_answer_normalize_ignores_surrounding_spaces_and_punctuation(text):
    assert answer_normalize(f"  {text} !!? ") == answer_normalize(text)


@given(st.text())
def test_normalised_answer_has_single_inner_spaces_only(text):
    normalised = answer_normalize(text)
    assert normalised == normalised.strip()
    assert "  " not in normalised


def test_there_are_ten_distinct_questions():
    codes = [code for code, _text in QUESTIONS]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert len({str(text) for _code, text in QUESTIONS}) == 10


@pytest.mark.django_db
def test_answers_are_stored_hashed_and_checked_normalised(user):
    security_answers_set(
        user=user,
        answers={"first_pet": "Fluffy"},
        actor_kind="customer",
        actor_id=user.pk,
    )

    stored = SecurityAnswer.objects.get(user=user)
    assert "luffy" not in stored.answer
    assert stored.answer.startswith("argon2$")
    assert security_answer_check(user=user, question="first_pet", answer="  Fluffy!! ")
    assert not security_answer_check(user=user, question="first_pet", answer="Fluff")
    assert not security_answer_check(user=user, question="birth_city", answer="Fluffy")


@pytest.mark.django_db
def test_setting_answers_replaces_all_and_records_an_event(user):
    security_answers_set(
        user=user,
        answers={"first_pet": "Fluffy", "birth_city": "Lima"},
        actor_kind="customer",
        actor_id=user.pk,
    )
    security_answers_set(
        user=user,
        answers={"first_car": "Volvo", "first_job": "Acme"},
        actor_kind="customer",
        actor_id=user.pk,
    )

    assert sorted(
        SecurityAnswer.objects.filter(user=user).values_list("question", flat=True)
    ) == [
        "first_car",
        "first_job",
    ]
    events = list(
        ActivityEvent.objects.filter(action="security_questions.set").values_list(
            "details", flat=True
        )
    )
    assert events == [
        {"questions": ["first_car", "first_job"]},
        {"questions": ["birth_city", "first_pet"]},
    ]
    assert "Volvo" not in str(events)


@pytest.mark.django_db
def test_form_asks_the_billers_number_of_questions(user):
    form = SecurityQuestionsForm(user.biller)

    assert list(form.fields) == ["question_1", "answer_1", "question_2", "answer_2"]


@pytest.mark.django_db
def test_form_requires_distinct_questions(user):
    form = answered_form(user, question_2="first_pet", answer_2="Rex")

    assert not form.is_valid()
    assert form.errors == {"question_2": ["Choose different questions."]}


@pytest.mark.django_db
def test_form_refuses_an_answer_shorter_than_two_characters_after_normalising(user):
    form = answered_form(user, answer_1="a!!!")

    assert not form.is_valid()
    assert form.errors == {
        "answer_1": ["Give an answer of at least 2 letters or digits."]
    }


@pytest.mark.django_db
def test_form_save_sets_the_answers(user):
    form = answered_form(user)
    assert form.is_valid()

    form.save(user=user, actor_kind="customer", actor_id=user.pk)

    assert security_answer_check(user=user, question="birth_city", answer="lima")
    assert security_answer_check(user=user, question="first_pet", answer="FLUFFY")


@pytest.mark.django_db
def test_fields_template_labels_every_control(user):
    from django.template.loader import render_to_string

    html = render_to_string(
        "accounts/questions/_fields.html", {"form": SecurityQuestionsForm(user.biller)}
    )

    for name in ("id_question_1", "id_answer_1", "id_question_2", "id_answer_2"):
        assert f'<label for="{name}">' in html
        assert f'id="{name}"' in html
