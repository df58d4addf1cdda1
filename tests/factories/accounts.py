"""People: users and staff."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import MD5PasswordHasher

from members.models import User

__all__ = ["DEFAULT_PASSWORD", "StaffFactory", "UserFactory"]

DEFAULT_PASSWORD = "a-Long-test-passphrase-42"
# Hashing is deliberately slow; hash the shared test password once.
_PASSWORD_HASH = MD5PasswordHasher().encode(DEFAULT_PASSWORD, MD5PasswordHasher().salt())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = _PASSWORD_HASH

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """Association staff: all admin permissions, an authenticator app set up."""

    is_staff = True
    is_superuser = True
    email = factory.Sequence(lambda n: f"staff{n}@cma-usa.example")

    @factory.post_generation
    def totp(obj, create, extracted, **kwargs):
        if create:
            obj.totp_secret = generate_totp_secret()
            TOTP.activate(obj, obj.totp_secret)
