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
        user = self.model(
            biller=biller,
            username=username,
            email=self.normalize_email(email).lower(),
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email="", password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    biller = models.ForeignKey(
        "billers.Biller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("biller"),
    )
    customer = models.ForeignKey(
        "servicing.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
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
    # Set while a temporary password was used and the first-sign-in steps
    # (new password, security questions, email verification) are not done.
    setup_required = models.BooleanField(
        _("first sign-in steps pending"), default=False
    )
    password_changed_at = models.DateTimeField(
        _("password changed"), null=True, blank=True
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # "JOHN" and "john" are the same username.
            models.UniqueConstraint(
                Lower("username"), "biller", name="user_username_per_biller"
            ),
            models.UniqueConstraint(
                Lower("username"),
                condition=Q(biller__isnull=True),
                name="user_username_platform",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "biller",
                condition=~Q(email=""),
                name="user_email_per_biller",
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class PasswordHistory(models.Model):
    """Earlier password hashes, checked against reuse (biller setting)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="password_history_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class TemporaryPassword(models.Model):
    """A random password issued by an agent or enrollment E1: single-use, expiring."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="temporary_passwords"
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class SecurityAnswer(models.Model):
    """One security question and its answer, normalised and hashed."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="security_answers"
    )
    question = models.CharField(_("question"), max_length=32)
    answer = models.CharField(_("answer hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question"], name="security_answer_distinct_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.question}"


class CodePurpose(models.TextChoices):
    RECOVERY = "recovery", _("Password recovery")
    VERIFY_EMAIL = "verify_email", _("Email verification")
    CHANGE_EMAIL = "change_email", _("Email change")


class OneTimeCode(models.Model):
    """A numeric code sent to a destination; stored hashed, single-use, expiring.

    ``flow`` ties the code to one recovery or verification flow. Asking for a
    new code in the same flow carries ``failures`` over, so resending never
    buys an attacker more guesses.
    """

    biller = models.ForeignKey(
        "billers.Biller", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="codes"
    )
    flow = models.UUIDField(_("flow"), db_index=True)
    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    destination = models.CharField(_("destination"), max_length=254, blank=True)
    code = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("failed tries"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.flow}"


class UserSession(models.Model):
    """A signed-in session, listed in the security centre and ended on demand."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(_("session key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=512, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"], name="user_session_open")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class Passkey(models.Model):
    """A WebAuthn credential that signs the user in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(_("name"), max_length=100)
    credential_id = models.BinaryField(_("credential id"), unique=True)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.PositiveBigIntegerField(_("sign count"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    def __str__(self) -> str:
        return self.name
