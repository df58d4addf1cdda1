"""Demo people for `manage.py seed_demo`: staff and member logins."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password

from .models import User

DEMO_PASSWORD = "critical-minerals"  # noqa: S105 - printed for the demo, never used in production
# A fixed authenticator secret so the demo staff login can be added to any
# authenticator app (it is printed by seed_demo).
DEMO_STAFF_TOTP_SECRET = "CMAUSADEMOSTAFFTOTPSECRET234567A"  # noqa: S105


@dataclass
class DemoLogin:
    role: str
    email: str
    note: str = ""


def ensure_user(email: str, name: str, *, staff: bool = False, password_hash: str | None = None) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"name": name, "is_staff": staff, "is_superuser": staff}
    )
    if created:
        user.password = password_hash or make_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_staff() -> tuple[User, list[DemoLogin]]:
    staff = ensure_user("staff@cma-usa.localhost", "Morgan Avery", staff=True)
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(staff, DEMO_STAFF_TOTP_SECRET)
    codes = RecoveryCodes.activate(staff).get_unused_codes()
    note = (
        f"staff pages need a second factor: add secret {DEMO_STAFF_TOTP_SECRET} to an authenticator app, "
        f"or use a recovery code: {', '.join(codes[:3])}"
    )
    return staff, [DemoLogin("staff", staff.email, note)]


def seed() -> list[DemoLogin]:
    _, logins = seed_staff()
    member = ensure_user("jordan.lee@sierra-lithium.localhost", "Jordan Lee")
    logins.append(DemoLogin("member", member.email))
    return logins


def seed_scale(count: int) -> str:
    """Bulk-create `count` × 4 people for benchmarks (one password hash for all)."""
    password_hash = make_password(DEMO_PASSWORD)
    start = User.objects.filter(email__startswith="scale-").count()
    users = [
        User(email=f"scale-{i:06d}@scale.localhost", name=f"Scale Person {i}", password=password_hash)
        for i in range(start, start + count * 4)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    created = User.objects.filter(email__startswith="scale-", pk__gt=0).order_by("-pk")[: len(users)]
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created], batch_size=2000
    )
    return f"{len(users)} people"
