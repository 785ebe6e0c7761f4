"""Authentication backends.

``BillerBackend`` signs a customer in at one biller: it needs ``biller=`` and
never looks at another biller's users. ``StaffBackend`` is Django's model
backend limited to platform staff (users without a biller), for the admin.

Every call of ``BillerBackend.authenticate`` runs the password hasher exactly
once, whether the account exists or not, has a usable password or not, and
whether a temporary or the lasting password is checked: the time a sign-in
takes tells nothing about the account.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import (
    check_password,
    is_password_usable,
    make_password,
)

from billfold.accounts import selectors
from billfold.accounts.temporary import temporary_password_normalize


def _hash_once_and_refuse(password: str) -> bool:
    make_password(password)
    return False


class BillerBackend(ModelBackend):
    def authenticate(
        self, request, username=None, password=None, biller=None, **kwargs
    ):
        if biller is None or username is None or password is None:
            return None
        user = selectors.user_for_login(biller=biller, login=username)
        if user is None:
            _hash_once_and_refuse(password)
            return None
        temporary = None
        shaped = temporary_password_normalize(password)
        if shaped is not None:
            temporary = selectors.temporary_password_active(user=user)
        if temporary is not None:
            # The typed text has the shape of a temporary password and one is
            # active: it is checked instead of the lasting password (one hash).
            ok = check_password(shaped, temporary.password)
        elif is_password_usable(user.password):
            ok = user.check_password(password)
        else:
            ok = _hash_once_and_refuse(password)
        if not ok or not self.user_can_authenticate(user):
            return None
        # The sign-in view marks it used and starts the restricted session.
        user.bf_temporary_password = temporary
        return user


class StaffBackend(ModelBackend):
    def authenticate(
        self, request, username=None, password=None, biller=None, **kwargs
    ):
        if biller is not None:
            return None
        return super().authenticate(
            request, username=username, password=password, **kwargs
        )

    def user_can_authenticate(self, user):
        return user.biller_id is None and super().user_can_authenticate(user)
