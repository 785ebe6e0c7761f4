"""Security questions: a biller setting (0 to 3 questions per user).

Answers are normalised (case, Unicode form, punctuation, spaces) and hashed
with the project's password hasher; they are never shown again. A security
question is only ever a second step after a one-time code sent to the address
of record — never a way in on its own (OWASP ASVS 6.4.2, NIST SP 800-63B).
"""

import re
import unicodedata
from collections.abc import Mapping

from django import forms
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from billfold.accounts.models import SecurityAnswer
from billfold.accounts.recovery import texts
from billfold.audit.services import event_record

QUESTIONS = texts.QUESTIONS
QUESTION_TEXT = dict(QUESTIONS)
MIN_ANSWER_LENGTH = 2
_SPACES = re.compile(r"\s+")


def answer_normalize(text: str) -> str:
    """The comparable form of an answer: "  Fluffy!! " and "fluffy" are equal."""
    # NFKC, case-folded, NFKC again: folding can leave decomposed letters.
    text = unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", text or "").casefold()
    )
    # Punctuation and symbols become spaces, so "St.John" == "st john".
    kept = "".join(
        " " if unicodedata.category(ch)[0] in {"P", "S"} else ch for ch in text
    )
    return _SPACES.sub(" ", kept).strip()


def question_text(code: str):
    return QUESTION_TEXT.get(code, "")


def security_answers_set(
    *, user, answers: Mapping[str, str], actor_kind: str, actor_id, request=None
) -> None:
    """Replace all of the user's questions and answers (answers hashed)."""
    unknown = set(answers) - set(QUESTION_TEXT)
    if unknown:
        raise ValueError(f"unknown security questions: {sorted(unknown)}")
    with transaction.atomic():
        SecurityAnswer.objects.filter(user=user).delete()
        SecurityAnswer.objects.bulk_create(
            SecurityAnswer(
                user=user, question=code, answer=make_password(answer_normalize(text))
            )
            for code, text in answers.items()
        )
        event_record(
            biller=user.biller,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action="security_questions.set",
            target=user,
            request=request,
            details={"questions": sorted(answers)},
        )


def security_questions_of(user) -> list[str]:
    """The codes of the questions the user has answered, oldest first."""
    return list(
        SecurityAnswer.objects.filter(user=user)
        .order_by("created_at", "id")
        .values_list("question", flat=True)
    )


def security_answer_check(*, user, question: str, answer: str) -> bool:
    """Whether ``answer`` is the user's answer to ``question``.

    One hash is computed whether or not the user has that question.
    """
    row = SecurityAnswer.objects.filter(user=user, question=question).first()
    normalised = answer_normalize(answer)
    if row is None or not normalised:
        make_password(normalised or "-")
        return False
    return check_password(normalised, row.answer)


class SecurityQuestionsForm(forms.Form):
    """Choose ``biller.security_question_count`` distinct questions and answer them."""

    def __init__(self, biller, data=None, **kwargs):
        super().__init__(data=data, **kwargs)
        self.biller = biller
        self.count = biller.security_question_count
        choices = [("", texts.CHOOSE_QUESTION)] + [(c, t) for c, t in QUESTIONS]
        for n in range(1, self.count + 1):
            self.fields[f"question_{n}"] = forms.ChoiceField(
                label=texts.QUESTION_LABEL % {"number": n}, choices=choices
            )
            self.fields[f"answer_{n}"] = forms.CharField(
                label=texts.ANSWER_LABEL % {"number": n},
                max_length=200,
                strip=True,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def pairs(self):
        """(question field, answer field) bound fields, for templates."""
        return [
            (self[f"question_{n}"], self[f"answer_{n}"])
            for n in range(1, self.count + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        seen: set[str] = set()
        for n in range(1, self.count + 1):
            question = cleaned.get(f"question_{n}")
            if question:
                if question in seen:
                    self.add_error(f"question_{n}", texts.DIFFERENT_QUESTIONS)
                seen.add(question)
            answer = cleaned.get(f"answer_{n}")
            if answer is not None and len(answer_normalize(answer)) < MIN_ANSWER_LENGTH:
                self.add_error(
                    f"answer_{n}",
                    texts.ANSWER_TOO_SHORT % {"count": MIN_ANSWER_LENGTH},
                )
        return cleaned

    def answers(self) -> dict[str, str]:
        return {
            self.cleaned_data[f"question_{n}"]: self.cleaned_data[f"answer_{n}"]
            for n in range(1, self.count + 1)
        }

    def save(self, *, user, actor_kind: str, actor_id, request=None) -> None:
        security_answers_set(
            user=user,
            answers=self.answers(),
            actor_kind=actor_kind,
            actor_id=actor_id,
            request=request,
        )
