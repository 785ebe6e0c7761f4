"""Portal users. Every customer account belongs to exactly one biller.

Platform staff (the Django admin's users) have no biller. Usernames and
emails are unique per biller, so the same address at two billers is two
accounts; sign-in always names the biller.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Only platform staff sign in without a biller (the Django admin).
        return self.get(biller__isnull=True, username__iexact=username)

    def create_user(self, username, email="", password=None, *, biller=None, **extra):
        user = self.model(biller=biller, username=username, email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email="", password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    biller = models.ForeignKey(
        "billers.Biller", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("biller"),
    )
    customer = models.ForeignKey(
        "servicing.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="users",
        verbose_name=_("customer"),
    )
    username = models.CharField(_("username"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    email_verified = models.BooleanField(_("email verified"), default=False)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "JOHN" and "john" are the same username.
            models.UniqueConstraint(Lower("username"), "biller", name="user_username_per_biller"),
            models.UniqueConstraint(
                Lower("username"), condition=Q(biller__isnull=True), name="user_username_platform"
            ),
            models.UniqueConstraint(
                Lower("email"), "biller", condition=~Q(email=""), name="user_email_per_biller"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name
