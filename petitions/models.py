"""Petitions, their FAQ and resources, individual signatures and organizational endorsements.

Signers and endorsing organizations have no accounts: who they are is proved
by clicking a signed link sent to their address (see `tokens.py`). Rules that
must hold under concurrency are constraints here — one live signature per
normalized email per petition, one live endorsement per organization and
contact — and every state change goes through `services.py`.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from cma.http import reverse_once
from members.models import US_STATES

STATE_NAMES = dict(US_STATES)


class SignOn(models.TextChoices):
    """The two ways to put a name to a petition."""

    SIGNATURES = "signatures", "signatures"
    ENDORSEMENTS = "endorsements", "endorsements"


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
        return reverse_once("petitions:detail", self.slug)

    # --- When a petition takes sign-ons: the rule, stated once ---------------------
    #
    # `open_condition()` and `taking_condition()` are the definition, as
    # conditions on the row with `NOW` for the moment they are judged at. A row
    # in memory is judged by `holds()` (the page's closed notice, the service's
    # early answer); the signature's and endorsement's INSERT judge the stored
    # row by the same condition compiled to SQL (`taking_sql()`).

    # Which `accepts` settings take each kind of sign-on.
    ACCEPTED_BY = {
        SignOn.SIGNATURES: (Accepts.BOTH, Accepts.SIGNATURES),
        SignOn.ENDORSEMENTS: (Accepts.BOTH, Accepts.ENDORSEMENTS),
    }

    @staticmethod
    def open_condition() -> Q:
        """Open: published, past its opening time, neither closed nor past its closing time."""
        return _open_condition()

    @staticmethod
    def taking_condition(kind: str) -> Q:
        """Takes `kind` (a `SignOn`): open, and set to accept that kind."""
        return _taking_condition(SignOn(kind))

    @staticmethod
    def taking_sql(kind: str, *, pk: int, now: datetime.datetime) -> tuple[str, list[Any]]:
        """`taking_condition(kind)` for the petition `pk` at `now`, as an SQL
        condition and its parameters (`EXISTS (…)`) for
        `cma.db.insert_unless_conflicting(only_if=…)`: the INSERT then judges
        the row as it is at that moment, not as the caller last read it."""
        sql, params, pk_at, now_at = _taking_sql_template(SignOn(kind))
        values = list(params)
        values[pk_at] = pk
        at = connection.ops.adapt_datetimefield_value(now)
        for i in now_at:
            values[i] = at
        return f"EXISTS ({sql})", values

    def is_taking(self, kind: str, now: datetime.datetime | None = None) -> bool:
        return holds(self.taking_condition(kind), self, now=now or timezone.now())

    @property
    def phase(self) -> str:
        if self.status == self.Status.DRAFT:
            return self.Phase.DRAFT
        now = timezone.now()
        if holds(self.open_condition(), self, now=now):
            return self.Phase.OPEN
        if self.status == self.Status.OPEN and self.opens_at is not None and self.opens_at > now:
            return self.Phase.UPCOMING
        return self.Phase.CLOSED

    @property
    def is_open(self) -> bool:
        return self.phase == self.Phase.OPEN

    @property
    def is_closed(self) -> bool:
        return self.phase == self.Phase.CLOSED

    @property
    def takes_signatures(self) -> bool:
        return self.accepts in self.ACCEPTED_BY[SignOn.SIGNATURES]

    @property
    def takes_endorsements(self) -> bool:
        return self.accepts in self.ACCEPTED_BY[SignOn.ENDORSEMENTS]

    @property
    def accepting_signatures(self) -> bool:
        return self.is_taking(SignOn.SIGNATURES)

    @property
    def accepting_endorsements(self) -> bool:
        return self.is_taking(SignOn.ENDORSEMENTS)

    @property
    def ended_at(self):
        """When signing stopped: the close, or the closing time that passed."""
        if self.phase != self.Phase.CLOSED:
            return None
        return self.closed_at or self.closes_at


# --- The conditions, and judging a row in memory by one ----------------------------

# Stands for the moment a condition is judged at: `holds(now=…)` and
# `Petition.taking_sql(now=…)` put that time in its place (so the conditions
# are never handed to the ORM as they are).
NOW = datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


@functools.cache
def _open_condition() -> Q:
    return Q(
        Q(opens_at__isnull=True, opens_at__lte=NOW, _connector=Q.OR),
        Q(closes_at__isnull=True, closes_at__gt=NOW, _connector=Q.OR),
        status=Petition.Status.OPEN,
    )


@functools.cache
def _taking_condition(kind: SignOn) -> Q:
    return Q(_open_condition(), accepts__in=Petition.ACCEPTED_BY[kind])


# The lookups `holds()` understands. Each treats a missing value (None) as SQL
# treats NULL: no comparison with it is true. Without negation (refused
# below), "unknown is false" gives the same answer as the database.
_LOOKUPS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": lambda value, wanted: value is not None and value == wanted,
    "in": lambda value, wanted: value is not None and value in wanted,
    "isnull": lambda value, wanted: (value is None) == wanted,
    "lt": lambda value, wanted: value is not None and operator.lt(value, wanted),
    "lte": lambda value, wanted: value is not None and operator.le(value, wanted),
    "gt": lambda value, wanted: value is not None and operator.gt(value, wanted),
    "gte": lambda value, wanted: value is not None and operator.ge(value, wanted),
}


def holds(condition: Q, row: models.Model, *, now: datetime.datetime) -> bool:
    """Whether `row`, as it is in memory, meets `condition` at `now` — the
    answer the database would give for the stored row, without asking it.
    Understands AND/OR of plain field lookups (those in `_LOOKUPS`) with `NOW`
    for the moment; anything else is an error rather than a guess."""
    if condition.negated:
        raise ValueError("holds() does not judge negated conditions: SQL's NULL makes NOT differ from Python's.")
    results = (_child_holds(child, row, now) for child in condition.children)
    return all(results) if condition.connector == Q.AND else any(results)


def _child_holds(child: Any, row: models.Model, now: datetime.datetime) -> bool:
    if isinstance(child, Q):
        return holds(child, row, now=now)
    lookup, wanted = child
    field, _, kind = lookup.partition("__")
    if wanted is None and kind in ("", "exact"):
        kind, wanted = "isnull", True  # as the ORM reads field=None
    return _LOOKUPS[kind or "exact"](getattr(row, field), now if wanted is NOW else wanted)


# Stands for the petition's id in the compiled template.
_PK_MARK = -7_301_943


@functools.cache
def _taking_sql_template(kind: SignOn) -> tuple[str, tuple[Any, ...], int, list[int]]:
    """`taking_condition(kind)` compiled by the ORM once per process: (SQL,
    parameters, where the petition's id goes, where the time goes). Compiling
    a queryset costs more than all the rest of a signature's Python."""
    query = Petition.objects.filter(_taking_condition(kind), pk=_PK_MARK).order_by().values("pk").query
    sql, params = query.sql_with_params()
    now_mark = connection.ops.adapt_datetimefield_value(NOW)
    pk_at = [i for i, value in enumerate(params) if type(value) is int and value == _PK_MARK]
    now_at = [i for i, value in enumerate(params) if type(value) is type(now_mark) and value == now_mark]
    if len(pk_at) != 1 or not now_at:
        raise RuntimeError(f"Could not find the petition's id and the time in {sql!r} {params!r}")
    return sql, tuple(params), pk_at[0], now_at


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
    # Set on a new signature stored without its confirmation email, which a
    # worker then queues (`signature_confirmations_queue`): the row itself is
    # the record that the email is owed, so neither is ever stored without
    # the other, and the signer's request does not build the email.
    confirmation_email_due = models.BooleanField(default=False, editable=False)

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
            # Only the few rows a worker has yet to email: the sweep reads them without a scan.
            models.Index(fields=["id"], condition=Q(confirmation_email_due=True), name="petitions_sig_email_due_idx"),
        ]

    def __str__(self) -> str:
        # No name or email: this string lands in the audit log, which outlives erasure.
        return f"Signature #{self.pk} on “{self.petition}”"

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, self.state)


class SignatureDay(models.Model):
    """Confirmed signatures of a petition on one day (UTC): the staff report's
    roll-up, so a year of it reads 365 rows a petition, not every signature.

    Kept in the same transaction as the confirmation (+1) or the withdrawal of
    a confirmed signature (-1), by one INSERT … ON CONFLICT DO UPDATE, so two
    signers confirming at once both count (services/signatures.py). Rows made
    in bulk (the demo) are counted again with `signature_days_rebuild`.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    confirmed = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["petition", "day"], name="petitions_signature_day_once")]
        # The report reads a period of days across petitions.
        indexes = [models.Index(fields=["day"], name="petitions_sigday_day_idx")]

    def __str__(self) -> str:
        return f"{self.confirmed} on {self.day} for petition #{self.petition_id}"


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
