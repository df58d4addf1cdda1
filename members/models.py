from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


def _time_zone_choices() -> list[tuple[str, str]]:
    # US zones first: nearly every member works in one of them.
    us = sorted(z for z in zoneinfo.available_timezones() if z.startswith("America/"))
    rest = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("America/", "Etc/")))
    return [("", "Association default (Eastern Time)")] + [(z, z.replace("_", " ")) for z in us + rest]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; there is no username."""

    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        choices=_time_zone_choices,
        help_text="Event times are shown in this zone.",
    )
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="Association staff: may use the staff pages and the admin."
    )
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class Segment(models.Model):
    """A part of the critical-minerals supply chain a member works in.

    The ten from the association's page are created by a data migration;
    staff may edit their descriptions or add more in the admin.
    """

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
