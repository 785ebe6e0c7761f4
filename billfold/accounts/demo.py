"""Ready-made demo sign-ins, printed by ``billfold serve_demo``.

For every demo biller in the database: one customer whose account is set up
(known password, email verified, security answers set when the biller asks for
them), and for the first biller also one customer with a fresh temporary
password, to try the first sign-in. Running it again gives the same accounts:
the ready password is reset to the demo password and a new temporary password
replaces the old one. Nothing happens unless ``settings.BILLFOLD_DEMO`` is on.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billfold.accounts.models import User
from billfold.accounts.services import access_grant, sign_in_url
from billfold.billers.models import Biller

# Meets every demo biller's policy: 15+ characters, letters and digits, not a
# common or breached password, no biller name in it.
DEMO_PASSWORD = "Copper-Kettle-Rain-2718"
DEMO_ANSWER = "demo"


def _demo_billers() -> list[Biller]:
    from billfold.billers.demo_data import BILLERS

    slugs = [spec.slug for spec in BILLERS]
    found = {b.slug: b for b in Biller.objects.filter(slug__in=slugs)}
    if found:
        return [found[slug] for slug in slugs if slug in found]
    return list(Biller.objects.order_by("name"))


def _candidates(biller):
    """(customer, address) with a booked contract, in customer-number order."""
    from billfold.servicing.models import ContractStatus, EmailIndex, EmailSource

    rows = (
        EmailIndex.objects.filter(
            biller=biller,
            source=EmailSource.CUSTOMER,
            customer__contracts__status=ContractStatus.BOOKED,
        )
        .select_related("customer")
        .order_by("customer__number", "pk")
        .distinct()
    )
    placeholders = biller.placeholder_set
    seen: set[int] = set()
    for row in rows:
        address = row.address.strip().lower()
        if row.customer_id in seen or not address or address in placeholders:
            continue
        seen.add(row.customer_id)
        yield row.customer, address


def _usable(biller, customer, address) -> bool:
    """The address is free at this biller, or already this customer's user."""
    clash = User.objects.filter(biller=biller, email__iexact=address).exclude(
        customer=customer
    )
    return not clash.exists()


def _ready_user(biller, customer, address) -> User:
    from billfold.accounts.questions import QUESTIONS, security_answers_set

    user = User.objects.filter(biller=biller, customer=customer).order_by("pk").first()
    if user is None:
        user = User(
            biller=biller,
            customer=customer,
            username=address,
            email=address,
            language=biller.default_language,
        )
    user.set_password(DEMO_PASSWORD)
    user.email_verified = True
    user.setup_required = False
    user.is_active = True
    user.save()
    user.temporary_passwords.filter(
        used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    count = biller.security_question_count
    if count and user.security_answers.count() != count:
        security_answers_set(
            user=user,
            answers={code: DEMO_ANSWER for code, _text in QUESTIONS[:count]},
            actor_kind="system",
            actor_id="demo",
        )
    return user


def demo_sign_ins(base_url: str | None = None) -> list[tuple[str, str]]:
    """(biller name, what to type) for each ready-made demo sign-in."""
    if not settings.BILLFOLD_DEMO:
        return []
    lines: list[tuple[str, str]] = []
    for index, biller in enumerate(_demo_billers()):
        url = sign_in_url(biller=biller)
        if base_url:
            url = base_url.rstrip("/") + f"/b/{biller.slug}/"
        usable = [
            (customer, address)
            for customer, address in _candidates(biller)
            if _usable(biller, customer, address)
        ][:2]
        if not usable:
            continue
        with transaction.atomic():
            user = _ready_user(biller, *usable[0])
        text = f"sign in at {url} as {user.username} / {DEMO_PASSWORD}"
        if biller.security_question_count:
            text += f" (security answers: {DEMO_ANSWER})"
        lines.append((biller.name, text))
        if index == 0 and len(usable) > 1:
            customer, address = usable[1]
            with transaction.atomic():
                first, plain = access_grant(
                    biller=biller,
                    customer=customer,
                    email=address,
                    actor_kind="system",
                    actor_id="demo",
                )
            lines.append(
                (
                    f"{biller.name} (first sign-in)",
                    f"sign in at {url} as {first.username} / {plain} "
                    "(temporary password: you choose a new one, then verify the "
                    "email with the code in the out-box)",
                )
            )
    return lines
