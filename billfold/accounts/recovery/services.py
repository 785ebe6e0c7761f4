"""The forgot-password flow (seed 002), made safe against account enumeration.

Email (+ anti-robot check) → where to send the code → code → one security
question (when the user has answers) → new password. An address without an
account at this biller (unknown, a placeholder, another biller's customer, an
unverified address) walks through the same screens with the same work: a code
is issued for the flow and hashed, but nobody receives it, so the code step
always fails.

The flow lives in the session under one key; every step checks that the one
before it is done.
"""

import secrets
import time
import uuid
from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import get_language

from billfold.accounts.codes import (
    CODE_LIFETIME,
    code_issue,
    code_tries_left,
    code_verify,
)
from billfold.accounts.models import CodePurpose
from billfold.accounts.questions import (
    security_answer_check,
    security_questions_of,
)
from billfold.audit.models import ActorKind, Outcome
from billfold.audit.services import event_record

SESSION_KEY = "bf_recover"
FLOW_LIFETIME_SECONDS = 30 * 60
MAX_SENDS = 3
MAX_ANSWER_FAILURES = 5
PURPOSE = CodePurpose.RECOVERY


class Step:
    CHOOSE = "choose"
    CODE = "code"
    QUESTION = "question"
    PASSWORD = "password"
    DONE = "done"


@dataclass
class Flow:
    flow: str
    biller: int
    step: str
    user: int | None
    email: str
    at: float
    sends: int = 0
    question: str = ""
    answer_failures: int = 0

    @property
    def flow_id(self) -> uuid.UUID:
        return uuid.UUID(self.flow)


def email_mask(address: str) -> str:
    """ "john@example.com" → "j***@e******.com": enough to recognise, not to read."""
    local, _at, domain = address.strip().lower().rpartition("@")
    if not local:
        local, domain = domain, ""

    def hide(part: str) -> str:
        return part[:1] + "*" * (len(part) - 1)

    labels = domain.split(".")
    masked_domain = ".".join([hide(label) for label in labels[:-1]] + labels[-1:])
    return f"{hide(local)}@{masked_domain}" if domain else hide(local)


def recovery_user_find(*, biller, email: str):
    """The active user of ``biller`` whose verified address of record is ``email``.

    None for a placeholder address, an unverified address or no match.
    """
    address = email.strip().lower()
    if not address or address in biller.placeholder_set:
        return None
    return (
        get_user_model()
        .objects.filter(
            biller=biller, email__iexact=address, is_active=True, email_verified=True
        )
        .first()
    )


# --- session state -----------------------------------------------------------


def flow_get(request, *, biller, step: str) -> Flow | None:
    """The flow in the session if it is at ``step`` for ``biller`` and not stale."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        flow = Flow(**data)
        flow.flow_id  # noqa: B018 - validates the stored id
    except (TypeError, ValueError):
        return None
    if flow.biller != biller.pk or flow.step != step:
        return None
    if time.time() - flow.at > FLOW_LIFETIME_SECONDS:
        return None
    return flow


def flow_save(request, flow: Flow) -> None:
    request.session[SESSION_KEY] = asdict(flow)


def flow_end(request) -> None:
    request.session.pop(SESSION_KEY, None)


def flow_start(request, *, biller, email: str) -> Flow:
    """Begin a flow for the typed ``email`` (the user may be None)."""
    user = recovery_user_find(biller=biller, email=email)
    flow = Flow(
        flow=str(uuid.uuid4()),
        biller=biller.pk,
        step=Step.CHOOSE,
        user=user.pk if user else None,
        email=email.strip().lower(),
        at=time.time(),
    )
    flow_save(request, flow)
    return flow


def _no_account_record(request, *, biller, details: dict) -> None:
    """The event that stands where an account's own event would be, for no account."""
    event_record(
        biller=biller,
        actor_kind=ActorKind.ANONYMOUS,
        action="password.reset_no_account",
        outcome=Outcome.FAILURE,
        request=request,
        details=details,
    )


def _user(flow: Flow):
    # One query whether or not the flow has a user: the same work either way.
    return get_user_model().objects.filter(pk=flow.user or 0, is_active=True).first()


def flow_code_send(request, *, biller, flow: Flow) -> bool:
    """Issue the flow's code and mail it (to nobody for an unknown address).

    Returns False when the flow has used up its sends.
    """
    if flow.sends >= MAX_SENDS:
        return False
    from billfold.notifications.services import email_enqueue, email_render

    user = _user(flow)
    with transaction.atomic():
        _row, plain = code_issue(
            biller=biller,
            user=user,
            purpose=PURPOSE,
            destination=user.email if user else "",
            flow=flow.flow_id,
            actor_kind=ActorKind.ANONYMOUS,
            request=request,
        )
        context = {
            "code": plain,
            "minutes_valid": int(CODE_LIFETIME.total_seconds() // 60),
        }
        if user is not None:
            email_enqueue(
                biller=biller,
                to=user.email,
                kind="recovery_code",
                context=context,
                user=user,
            )
        else:
            # The same work as for an account: the message is written (and
            # thrown away) and an event recorded, only nobody receives a code.
            email_render(
                biller=biller,
                kind="recovery_code",
                context=context,
                language=get_language() or biller.default_language,
            )
            _no_account_record(
                request,
                biller=biller,
                details={"step": "send", "resend": flow.sends > 0},
            )
    flow.sends += 1
    flow.step = Step.CODE
    flow_save(request, flow)
    return True


def flow_code_check(request, *, biller, flow: Flow, code: str) -> tuple[bool, int]:
    """Check the typed code; returns (accepted, tries left)."""
    row = code_verify(
        biller=biller,
        flow=flow.flow_id,
        purpose=PURPOSE,
        code=code,
        actor_kind=ActorKind.ANONYMOUS,
        request=request,
    )
    user = _user(flow)
    if user is None:
        # code_verify recorded "code.failed" for an account; this is its twin.
        _no_account_record(request, biller=biller, details={"step": "code"})
    if row is None or user is None or row.user_id != user.pk:
        return False, code_tries_left(biller=biller, flow=flow.flow_id, purpose=PURPOSE)
    questions = security_questions_of(user) if biller.security_question_count else []
    if questions:
        flow.question = secrets.choice(questions)
        flow.step = Step.QUESTION
    else:
        flow.step = Step.PASSWORD
    flow_save(request, flow)
    return True, code_tries_left(biller=biller, flow=flow.flow_id, purpose=PURPOSE)


def flow_answer_check(request, *, biller, flow: Flow, answer: str) -> tuple[bool, int]:
    """Check the answer to the flow's question; returns (accepted, tries left)."""
    user = _user(flow)
    ok = user is not None and security_answer_check(
        user=user, question=flow.question, answer=answer
    )
    if user is not None:
        event_record(
            biller=biller,
            actor_kind=ActorKind.ANONYMOUS,
            action="security_question.passed" if ok else "security_question.failed",
            target=user,
            outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
            request=request,
            details={"question": flow.question},
        )
    if ok:
        flow.step = Step.PASSWORD
    else:
        flow.answer_failures += 1
    flow_save(request, flow)
    return ok, max(0, MAX_ANSWER_FAILURES - flow.answer_failures)


def flow_user(flow: Flow):
    """The user whose password the flow may set (only past the code step)."""
    return _user(flow)


def password_reset(request, *, biller, flow: Flow, new_password: str) -> None:
    """Set the new password, end every session, unlock, record; never signs in.

    Raises BillfoldError (from the password policy) without changing anything.
    """
    from billfold.accounts.security.passwords import password_change
    from billfold.accounts.services import sessions_end_all
    from billfold.accounts.throttle import user_unlock

    user = _user(flow)
    if user is None:
        raise ValueError("no user for this recovery flow")
    with transaction.atomic():
        password_change(
            user=user,
            new_password=new_password,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            request=request,
            notify=True,
            reason="recovery",
        )
        ended = sessions_end_all(
            user=user,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            reason="password_reset",
            request=request,
        )
        user_unlock(
            user=user, actor_kind=ActorKind.CUSTOMER, actor_id=user.pk, request=request
        )
        event_record(
            biller=biller,
            actor_kind=ActorKind.CUSTOMER,
            actor_id=user.pk,
            action="password.reset",
            target=user,
            request=request,
            details={"sessions_ended": ended},
        )
    flow.step = Step.DONE
    flow_save(request, flow)
