"""Reading API keys."""

from billfold.api.models import ApiKey


def apikey_list(*, biller) -> list[ApiKey]:
    """The biller's keys, newest first, revoked ones included."""
    return list(ApiKey.objects.filter(biller=biller).order_by("-created_at", "-id"))
