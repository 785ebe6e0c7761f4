"""Reads about a user's second factors."""

from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from billfold.accounts.models import Passkey


def totp_device_get(*, user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_pending_get(*, user, device_id: int | None) -> TOTPDevice | None:
    """The unconfirmed authenticator app being set up in this session."""
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=False, pk=device_id).first()


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_device_get(*, user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def passkey_list(*, user) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user).order_by("created_at", "pk")


def passkey_get(*, user, passkey_id: int) -> Passkey | None:
    """One of the user's own passkeys; another user's id finds nothing."""
    return Passkey.objects.filter(user=user, pk=passkey_id).first()
