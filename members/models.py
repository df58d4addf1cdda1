from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

if TYPE_CHECKING:
    from .selectors import CharterStatus


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
    REQUIRED_FIELDS: ClassVar[list[str]] = []

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


US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"), ("SD", "South Dakota"),
    ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"),
    ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
    ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "U.S. Virgin Islands"),
]  # fmt: skip


class MembershipTier(models.Model):
    """A level of membership, with its annual dues and what it includes."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    annual_dues = models.DecimalField(max_digits=10, decimal_places=2)
    includes = models.TextField(help_text="What the tier includes, one item per line.")
    position = models.PositiveSmallIntegerField(default=0)
    is_open = models.BooleanField(default=True, help_text="Offered to new applicants.")

    class Meta:
        ordering = ["position", "annual_dues"]
        constraints = [models.CheckConstraint(condition=models.Q(annual_dues__gte=0), name="tier_dues_not_negative")]

    def __str__(self) -> str:
        return self.name

    @property
    def included_items(self) -> list[str]:
        return [line.strip("-• ").strip() for line in self.includes.splitlines() if line.strip()]


class Organization(models.Model):
    """A company or institution: what members are."""

    class SizeBand(models.TextChoices):
        MICRO = "1-10", "1–10 employees"
        SMALL = "11-50", "11–50 employees"
        MEDIUM = "51-200", "51–200 employees"
        LARGE = "201-1000", "201–1,000 employees"
        XLARGE = "1001-5000", "1,001–5,000 employees"
        ENTERPRISE = "5000+", "More than 5,000 employees"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    legal_name = models.CharField(max_length=255, blank=True)
    website = models.URLField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    hq_city = models.CharField("headquarters city", max_length=100, blank=True)
    hq_state = models.CharField("headquarters state", max_length=2, blank=True, choices=US_STATES)
    hq_country = models.CharField("headquarters country", max_length=100, default="United States")
    size_band = models.CharField(max_length=12, choices=SizeBand.choices, blank=True)
    # Where invoices are addressed (the primary contact keeps it; each
    # invoice copies it when issued). Blank street: the headquarters' city.
    billing_street = models.CharField("billing street address", max_length=200, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_state = models.CharField(max_length=2, blank=True, choices=US_STATES)
    billing_postal_code = models.CharField("billing ZIP or postal code", max_length=20, blank=True)
    billing_country = models.CharField(max_length=100, blank=True, default="United States")
    logo = models.FileField(upload_to="logos/", blank=True)
    public_listing = models.BooleanField(
        default=False, help_text="List the organization in the public member directory."
    )
    segments = models.ManyToManyField(Segment, related_name="organizations", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Attached by selectors.with_charter_status() to the rows it reads.
    charter: CharterStatus

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="members_org_name_ci_unique")]
        indexes = [
            models.Index(Lower("name"), name="members_org_lower_name_idx"),
            # The directory's order: its first pages read 24 rows off this index.
            models.Index(fields=["name", "id"], name="members_org_name_order_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_address(self) -> str:
        """The address invoices print, one line per row: the billing address
        when there is one, else the headquarters' city, state and country."""
        if self.billing_street:
            place = " ".join(p for p in (self.billing_city + ("," if self.billing_state else ""), self.billing_state,
                                         self.billing_postal_code) if p)  # fmt: skip
            return "\n".join(p for p in (self.billing_street, place, self.billing_country) if p)
        place = ", ".join(p for p in (self.hq_city, self.hq_state) if p)
        return "\n".join(p for p in (place, self.hq_country) if p)

    @property
    def current_membership(self) -> Membership | None:
        # The reverse one-to-one raises (an AttributeError) when there is none.
        return getattr(self, "membership", None)

    @property
    def membership_in_good_standing(self) -> bool:
        membership = self.current_membership
        return membership is not None and membership.in_good_standing


class OrganizationMember(models.Model):
    """A person's place in an organization."""

    class Role(models.TextChoices):
        PRIMARY_CONTACT = "primary", "Primary contact"
        REPRESENTATIVE = "representative", "Representative"
        BILLING_CONTACT = "billing", "Billing contact"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organization_roles")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REPRESENTATIVE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="members_one_role_per_person_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"


class Invitation(models.Model):
    """A primary contact's invitation for a colleague to join the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(
        max_length=16, choices=OrganizationMember.Role.choices, default=OrganizationMember.Role.REPRESENTATIVE
    )
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="members_one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class Membership(models.Model):
    """An organization's membership of the association: its tier and current term."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        GRACE = "grace", "In grace period"
        LAPSED = "lapsed", "Lapsed"
        SUSPENDED = "suspended", "Suspended"
        ENDED = "ended", "Ended"

    # Statuses whose people count as members (directory, working groups, events).
    IN_GOOD_STANDING = (Status.ACTIVE, Status.GRACE)

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="membership")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    member_since = models.DateField()
    starts_on = models.DateField(help_text="Start of the current term.")
    ends_on = models.DateField(help_text="Last day of the current term.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")), name="membership_term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_status_display()})"

    @property
    def in_good_standing(self) -> bool:
        return self.status in self.IN_GOOD_STANDING


class MembershipTerm(models.Model):
    """One year (or other span) of membership: the history behind Membership's current term."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="terms")
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "starts_on"], name="members_one_term_per_start"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="term_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.membership.organization}: {self.starts_on:%b %-d, %Y} – {self.ends_on:%b %-d, %Y}"


class Dues(models.Model):
    """A term's dues: the invoice's number and total, and whether it is settled.

    Billing's Invoice is the one record of money; this row is its mirror on
    the term, written only by billing (services.dues_link_invoice and
    dues_settle) so that members' pages, which may not import billing, can
    say "paid" or "awaiting payment". Staff record payments on the invoice."""

    term = models.OneToOneField(MembershipTerm, on_delete=models.CASCADE, related_name="dues")
    invoice_number = models.CharField(max_length=32, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    issued_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)
    payment_recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name_plural = "dues"
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="dues_amount_not_negative")]

    def __str__(self) -> str:
        return f"Invoice {self.invoice_number}"

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class CharterVersion(models.Model):
    """A version of the CMA USA Charter every member must comply with."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="CMA USA Charter")
    body = models.TextField(help_text="Markdown.")
    summary_of_changes = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title}, version {self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class CharterAcceptance(models.Model):
    """An organization's acceptance of a charter version. Never edited or deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="charter_acceptances")
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "version"], name="members_accept_each_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} accepted version {self.version.number}"


class Application(models.Model):
    """A membership application: for a new organization or one already on file."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        UNDER_REVIEW = "under_review", "Under review"
        INFO_REQUESTED = "info_requested", "More information requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # States in which the organization has an application in progress: a
    # second one for the same organization is refused (by a constraint).
    OPEN = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
    EDITABLE = (Status.DRAFT, Status.INFO_REQUESTED)
    FINAL = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)

    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="applications",
        help_text="Set when applying for an organization already on file, and on approval.",
    )  # fmt: skip
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # The organization as the applicant describes it.
    org_name = models.CharField("organization name", max_length=200)
    legal_name = models.CharField(max_length=255, blank=True)
    website = models.URLField(max_length=300, blank=True)
    description = models.TextField("what the organization does", blank=True)
    hq_city = models.CharField("headquarters city", max_length=100, blank=True)
    hq_state = models.CharField("headquarters state", max_length=2, blank=True, choices=US_STATES)
    hq_country = models.CharField("headquarters country", max_length=100, default="United States")
    size_band = models.CharField(max_length=12, choices=Organization.SizeBand.choices, blank=True)
    segments = models.ManyToManyField(Segment, related_name="+", blank=True)
    tier = models.ForeignKey(MembershipTier, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Who to talk to.
    contact_name = models.CharField(max_length=150, blank=True)
    contact_title = models.CharField("job title", max_length=150, blank=True)
    contact_phone = models.CharField("phone", max_length=40, blank=True)
    statement = models.TextField("statement of interest", blank=True, max_length=3000)
    # The applicant's answer; approval copies it to the organization.
    public_listing = models.BooleanField(
        "listed in the public directory",
        default=True,
        help_text="On approval, the organization is listed in the public member directory.",
    )
    # The charter acceptance the applicant gave on submission.
    charter_version = models.ForeignKey(
        CharterVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    charter_accepted_at = models.DateTimeField(null=True, blank=True)
    charter_ip_address = models.GenericIPAddressField(null=True, blank=True)
    charter_user_agent = models.CharField(max_length=500, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                condition=models.Q(status__in=["submitted", "under_review", "info_requested"]),
                name="members_one_open_application_per_org",
            ),
            models.UniqueConstraint(
                Lower("org_name"),
                condition=models.Q(
                    organization__isnull=True, status__in=["submitted", "under_review", "info_requested"]
                ),
                name="members_one_open_application_per_new_org_name",
            ),
        ]

    def __str__(self) -> str:
        return f"Application from {self.org_name}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE
