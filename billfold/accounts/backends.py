"""Authentication backends.

``BillerBackend`` signs a customer in at one biller: it needs ``biller=`` and
never looks at another biller's users. ``StaffBackend`` is Django's model
backend limited to platform staff (users without a biller), for the admin.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class BillerBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, biller=None, **kwargs):
        if biller is None or username is None or password is None:
            return None
        user_model = get_user_model()
        login = username.strip()
        candidates = list(
            user_model._default_manager.filter(biller=biller).filter(
                Q(username__iexact=login) | Q(email__iexact=login)
            )[:2]
        )
        # A username match wins over another user's email that equals it.
        user = next(
            (u for u in candidates if u.username.lower() == login.lower()),
            candidates[0] if candidates else None,
        )
        if user is None:
            # Same work for an unknown account: one hash, so timing tells nothing.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class StaffBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, biller=None, **kwargs):
        if biller is not None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user):
        return user.biller_id is None and super().user_can_authenticate(user)
