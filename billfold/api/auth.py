"""``Authorization: Bearer <key>`` with a biller's API key."""

from ninja.security import HttpBearer

from billfold.api.services import apikey_authenticate


class ApiKeyAuth(HttpBearer):
    """Every failure (missing, unknown, wrong, revoked) is the same 401."""

    def authenticate(self, request, token):
        api_key = apikey_authenticate(token)
        if api_key is not None:
            request.api_key = api_key
        return api_key
