"""Petitions, their FAQ and resources, individual signatures and organizational endorsements.

Signers and endorsing organizations have no accounts: who they are is proved
by clicking a signed link sent to their address (see `tokens.py`). Rules that
must hold under concurrency are constraints here — one live signature per
normalized email per petition, one live endorsement per organization and
contact — and every state change goes through `services.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from members.models import US_STATES

STATE_NAMES = dict(US_STATES)


class Petition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Accepts(models.TextChoices):
        BOTH = "both", "Individual signatures and organizational endorsements"
        SIGNATURES = "signatures", "Individual signatures only"
        ENDORSEMENTS = "endorsements", "Organizational endorsements only"

    # What visitors see, derived from the status and the opening/closing times.
    class Phase(models.TextChoices):
        DRAFT = "draft", "Draft"
        UPCOMING = "upcoming", "Not open yet"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The petition's address: /petitions/<slug>/.")
    summary = models.TextField(max_length=600, help_text="One or two sentences under the title.")
    body = models.TextField(blank=True, help_text="Markdown. The case for the petition.")
    ask = models.TextField(
        "the ask",
        max_length=1000,
        help_text="What signers urge, in one or two sentences; shown above the sign form.",
    )
    signature_goal = models.PositiveIntegerField(default=1000)
    accepts = models.CharField(max_length=12, choices=Accepts.choices, default=Accepts.BOTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True)
    opens_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty to open on publishing.")
    closes_at = models.DateTimeField(null=True, blank=True, help_text="Leave empty to stay open until closed.")
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever the public endorsement wall changes: cached fragments
    # are keyed on it, so a change shows at once without deleting anything.
    wall_version = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(signature_goal__gt=0), name="petitions_goal_positive"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="petitions_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("petitions:detail", args=[self.slug])

    @property
    def phase(self) -> str:
        if self.status == self.Status.DRAFT:
            return self.Phase.DRAFT
        if self.status == self.Status.CLOSED:
            return self.Phase.CLOSED
        now = timezone.now()
        if self.closes_at is not None and self.closes_at <= now:
            return self.Phase.CLOSED
        if self.opens_at is not None and self.opens_at > now:
            return self.Phase.UPCOMING
        return self.Phase.OPEN

    @property
    def is_open(self) -> bool:
        return self.phase == self.Phase.OPEN

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    @property
    def takes_signatures(self) -> bool:
        return self.accepts in (self.Accepts.BOTH, self.Accepts.SIGNATURES)

    @property
    def takes_endorsements(self) -> bool:
        return self.accepts in (self.Accepts.BOTH, self.Accepts.ENDORSEMENTS)

    @property
    def accepting_signatures(self) -> bool:
        return self.is_open and self.takes_signatures

    @property
    def accepting_endorsements(self) -> bool:
        return self.is_open and self.takes_endorsements

    @property
    def ended_at(self):
        """When signing stopped: the close, or the closing time that passed."""
        if self.phase != self.Phase.CLOSED:
            return None
        return self.closed_at or self.closes_at


class FAQItem(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="faq_items")
    question = models.CharField(max_length=300)
    answer = models.TextField(max_length=5000, help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ item"

    def __str__(self) -> str:
        return self.question


class Resource(models.Model):
    """A report, letter or press release listed under the petition."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, help_text="e.g. “Report by Public Citizen”.")
    published_on = models.DateField(null=True, blank=True, help_text="Shown as month and year.")
    url = models.URLField("link", max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Signature(models.Model):
    """One person's signature. Counts only once confirmed from their inbox.

    A withdrawn signature keeps its row (so the stats stay true) but loses
    everything that identifies the person; `email_normalized` becomes NULL,
    which frees the address to sign again.
    """

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Awaiting confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # No index of its own: the unique (petition, email) constraint and the
    # count index both start with it, and signing is the busiest write.
    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="signatures", db_index=False)
    name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    email_normalized = models.CharField(max_length=254, null=True, blank=True, editable=False)
    zip_code = models.CharField("ZIP code", max_length=10)
    state = models.CharField(max_length=2, choices=US_STATES)
    comment = models.TextField(max_length=1000, blank=True)
    show_name = models.BooleanField("show name publicly", default=False)
    wants_updates = models.BooleanField("wants updates", default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "email_normalized"], name="petitions_one_signature_per_email"),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="petitions_confirmed_signature_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "status"], name="petitions_sig_count_idx"),
            models.Index(
                fields=["petition", "-confirmed_at"],
                condition=Q(status="confirmed", show_name=True),
                name="petitions_sig_public_idx",
            ),
            models.Index(fields=["status", "created_at"], name="petitions_sig_retention_idx"),
        ]

    def __str__(self) -> str:
        # No name or email: this string lands in the audit log, which outlives erasure.
        return f"Signature #{self.pk} on “{self.petition}”"

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)


class Endorsement(models.Model):
    """An organization's sign-on: confirmed by its contact, then moderated by staff."""

    class Scope(models.TextChoices):
        NATIONAL = "national", "National"
        STATE = "state", "State or Local"

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Awaiting email confirmation"
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The statuses in which an endorsement still stands (or may): a second
    # submission for the same organization and contact finds this one.
    LIVE = (Status.UNCONFIRMED, Status.PENDING, Status.APPROVED)

    petition = models.ForeignKey(Petition, on_delete=models.PROTECT, related_name="endorsements")
    organization_name = models.CharField(max_length=200)
    # Lower-case, leading "The " dropped: the wall's alphabetical order.
    sort_name = models.CharField(max_length=200, editable=False)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    state = models.CharField(max_length=2, choices=US_STATES, blank=True)
    website = models.URLField(max_length=300, blank=True)
    logo = models.FileField(upload_to="petitions/logos/", blank=True)
    contact_name = models.CharField(max_length=100)
    contact_title = models.CharField(max_length=100)
    contact_email = models.EmailField(max_length=254)
    contact_email_normalized = models.CharField(max_length=254, editable=False)
    authorized = models.BooleanField(
        default=False, help_text="The contact stated they are authorized to sign for the organization."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    featured = models.BooleanField(default=False)
    rejection_reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sort_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "sort_name", "contact_email_normalized"],
                condition=Q(status__in=["unconfirmed", "pending", "approved"]),
                name="petitions_one_live_endorsement_per_org_contact",
            ),
            models.CheckConstraint(
                condition=Q(scope="national") | ~Q(state=""), name="petitions_state_endorsement_has_state"
            ),
            models.CheckConstraint(condition=Q(authorized=True), name="petitions_endorsement_authorized"),
            models.CheckConstraint(
                condition=Q(featured=False) | Q(status="approved"), name="petitions_only_approved_featured"
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "status", "sort_name"], name="petitions_endorse_wall_idx"),
            models.Index(fields=["status", "confirmed_at"], name="petitions_endorse_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.organization_name

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)

    @property
    def place(self) -> str:
        return "National" if self.scope == self.Scope.NATIONAL else self.state_name
