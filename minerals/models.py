"""Critical minerals: the reference (with every fact cited), what member
organizations do with each mineral, and pooled demand.

Tags to working groups, events and petitions live here, on the minerals side
(`Mineral.working_groups` and friends): those apps sit below minerals in the
import layers and must not know minerals exist. Their rows reach their
minerals through the reverse accessor `.minerals` when minerals asks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Group(models.TextChoices):
    RARE_EARTHS = "rare-earths", "Rare earth elements"
    PLATINUM_GROUP = "platinum-group", "Platinum group metals"
    PRECIOUS = "precious", "Precious metals"
    ALKALI = "alkali", "Alkali metals"
    BASE_ALLOYING = "base-alloying", "Base and alloying metals"
    SEMICONDUCTOR = "semiconductor", "Semiconductor and minor metals"
    INDUSTRIAL = "industrial", "Industrial minerals"


class EndUse(models.TextChoices):
    """The end uses seeds/003 sorts minerals by ("outsized importance in the
    defense, energy and technology sectors", plus medicine and manufacturing)."""

    DEFENSE = "defense", "Defense"
    ENERGY = "energy", "Energy"
    TECHNOLOGY = "technology", "Technology and semiconductors"
    MEDICAL = "medical", "Medicine and health"
    MANUFACTURING = "manufacturing", "Manufacturing and infrastructure"


class Unit(models.TextChoices):
    TONNES = "t", "metric tons"
    KILOGRAMS = "kg", "kilograms"
    TROY_OUNCES = "ozt", "troy ounces"


class Stage(models.TextChoices):
    EXPLORATION = "exploration", "Exploration"
    MINING = "mining", "Mining"
    PROCESSING = "processing", "Processing and refining"
    RECYCLING = "recycling", "Recycling"
    COMPONENTS = "components", "Manufacturing of components"
    END_USE = "end-use", "End use / offtake (buyer)"
    FINANCE = "finance", "Finance"
    SERVICES = "services", "Services"


class Mineral(models.Model):
    """One mineral commodity. `import_reliance` repeats the newest cited
    import-reliance fact so the index can sort on it; services keep the two
    in step and it is never edited on its own."""

    name = models.CharField(max_length=80, unique=True)
    # Stable: other apps (insights) tag content with it. Never renamed.
    slug = models.SlugField(max_length=80, unique=True)
    symbol = models.CharField(max_length=8, blank=True, help_text="Chemical symbol, where one exists.")
    group = models.CharField(max_length=20, choices=Group.choices)
    uses = models.TextField(blank=True, help_text="What it is used for, in the words of the cited source.")
    unit = models.CharField(
        max_length=4, choices=Unit.choices, default=Unit.TONNES, help_text="The unit volumes are declared in."
    )
    on_usgs_2025_list = models.BooleanField(
        "on the 2025 USGS critical minerals list", default=True, help_text="Molybdenum, for one, is not."
    )
    import_reliance = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    working_groups = models.ManyToManyField("workinggroups.WorkingGroup", blank=True, related_name="minerals")
    events = models.ManyToManyField("events.Event", blank=True, related_name="minerals")
    petitions = models.ManyToManyField("petitions.Petition", blank=True, related_name="minerals")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(import_reliance__isnull=True) | models.Q(import_reliance__lte=100),
                name="minerals_reliance_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Fact(models.Model):
    """One thing a source says about a mineral, with the source: which
    document (a seed, or what staff cite), which publication it quotes, and
    its date. A figure without a source cannot be stored."""

    class Kind(models.TextChoices):
        IMPORT_RELIANCE = "import-reliance", "U.S. net import reliance"
        LEADING_SOURCES = "leading-sources", "Leading import sources"
        CHINA = "china", "China's role"
        END_USE = "end-use", "End use that matters"
        MARKET = "market", "Market conditions"

    mineral = models.ForeignKey(Mineral, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    end_use = models.CharField(max_length=16, choices=EndUse.choices, blank=True)
    text = models.TextField()
    source = models.CharField(max_length=300, help_text="The document the fact is taken from.")
    quotes = models.CharField(
        max_length=300, blank=True, help_text="The publication that document cites for it, if any."
    )
    source_date = models.DateField(help_text="The date of the source document.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-source_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(source=""), name="minerals_fact_has_source"),
            models.CheckConstraint(
                condition=models.Q(percent__isnull=True) | models.Q(percent__lte=100),
                name="minerals_fact_percent_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="import-reliance") | models.Q(percent__isnull=False),
                name="minerals_reliance_fact_has_figure",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="end-use") | ~models.Q(end_use=""),
                name="minerals_end_use_fact_has_category",
            ),
        ]
        indexes = [models.Index(fields=["kind", "end_use"], name="minerals_fact_kind_idx")]

    def __str__(self) -> str:
        return f"{self.mineral}: {self.get_kind_display()}"


class Involvement(models.Model):
    """An organization's declaration that it works with a mineral at a stage."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: shown in the public directory"
        MEMBERS = "members", "Members only"
        STAFF = "staff", "Staff only"
        AGGREGATE = "aggregate", "Aggregate only: counted, never named"

    # Who sees the organization named, by visibility.
    NAMED_TO_PUBLIC = (Visibility.PUBLIC,)
    NAMED_TO_MEMBERS = (Visibility.PUBLIC, Visibility.MEMBERS)
    # Counted in the matrix for everyone but staff (staff count all).
    COUNTED = (Visibility.PUBLIC, Visibility.MEMBERS, Visibility.AGGREGATE)

    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    mineral = models.ForeignKey(Mineral, on_delete=models.PROTECT, related_name="involvements")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    capacity = models.DecimalField("capacity or annual volume", max_digits=14, decimal_places=3, null=True, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["mineral__name", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "mineral", "stage"], name="minerals_one_involvement"),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gt=0),
                name="minerals_capacity_positive",
            ),
        ]
        indexes = [models.Index(fields=["mineral", "stage", "visibility"], name="minerals_involvement_cell_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.mineral} · {self.get_stage_display()}"


class DemandRound(models.Model):
    """A pooled-demand round staff open for one mineral and time window.
    Totals are published from it only under the disclosure rules (see
    `minerals.disclosure`); `published_*` hold the last total that passed."""

    class Status(models.TextChoices):
        OPEN = "open", "Open for declarations"
        CLOSED = "closed", "Closed"

    mineral = models.ForeignKey(Mineral, on_delete=models.PROTECT, related_name="demand_rounds")
    title = models.CharField(max_length=160)
    window_start = models.DateField("window starts")
    window_end = models.DateField("window ends")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    min_organizations = models.PositiveSmallIntegerField(default=3)
    dominance_percent = models.PositiveSmallIntegerField(default=50)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The last published figure and what it was made of: the next figure is
    # published only if the change since this one is itself safe to show.
    published_total = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)
    published_organizations = models.PositiveIntegerField(default=0)
    published_contributions = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-window_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")), name="minerals_round_window_order"
            ),
            models.CheckConstraint(condition=models.Q(min_organizations__gte=2), name="minerals_round_k_at_least_2"),
            models.CheckConstraint(
                condition=models.Q(dominance_percent__gte=1, dominance_percent__lte=100),
                name="minerals_round_dominance_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Declaration(models.Model):
    """One organization's expected demand in a round. Private: never shown
    to anyone but the organization's own people, never exported."""

    round = models.ForeignKey(DemandRound, on_delete=models.CASCADE, related_name="declarations")
    organization = models.ForeignKey("members.Organization", on_delete=models.CASCADE, related_name="+")
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    form = models.CharField("stage or form", max_length=120, help_text='For example "battery-grade lithium hydroxide".')
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="minerals_one_declaration_per_round"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="minerals_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"Declaration in {self.round_id}"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mineral = models.ForeignKey(Mineral, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "mineral"], name="minerals_one_follow")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.mineral_id}"


class MatrixPublication(models.Model):
    """Whether staff published the aggregate-only coverage matrix to the public. One row."""

    is_public = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Public coverage matrix" if self.is_public else "Coverage matrix (members only)"
