"""Repair tickets (报修): categories, dispatch rules, materials, tickets and their photos.

A ticket belongs to its school directly (``school``), so every list is scoped with one
indexed column; its room says where. Statuses change only through
``logistics.repairs.services.tickets``, which records each change in the status log.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.choices import Trade
from logistics.common.models import SchoolOwned, SchoolScoped, school_field
from logistics.common.submissions import OnceSubmitted
from logistics.models.media import StoredImage
from logistics.repairs.choices import DamageCause, PhotoKind, TicketStatus, Urgency


class RepairCategory(OnceSubmitted, SchoolOwned):
    """The second level of what is broken, under a trade (水 → 漏水 / 堵塞 / 龙头)."""

    school = school_field("repair_categories")
    trade = models.CharField(_("trade"), max_length=30, choices=Trade.choices)
    name = models.CharField(_("name"), max_length=50)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("repair category")
        verbose_name_plural = _("repair categories")
        ordering = ["school", "trade", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "trade", "name"],
                name="logistics_repaircategory_unique_name",
                violation_error_message=_("This trade already has a category with this name."),
            ),
        ]

    def __str__(self):
        return f"{self.get_trade_display()} · {self.name}"


class DispatchRule(OnceSubmitted, SchoolOwned):
    """Who gets a new ticket of a trade: in one building, or (no building) anywhere.

    A building's rule wins over the school-wide rule of the same trade.
    """

    school = school_field("dispatch_rules")
    trade = models.CharField(_("trade"), max_length=30, choices=Trade.choices)
    building = models.ForeignKey(
        "logistics.Building",
        on_delete=models.PROTECT,
        related_name="dispatch_rules",
        null=True,
        blank=True,
        verbose_name=_("building"),
        help_text=_("Leave empty for every building without a rule of its own."),
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dispatch_rules",
        verbose_name=_("technician"),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["school", "trade", "building__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "trade", "building"],
                condition=Q(is_active=True, building__isnull=False),
                name="logistics_dispatchrule_unique_building",
                violation_error_message=_("This building already has a rule for this trade."),
            ),
            models.UniqueConstraint(
                fields=["school", "trade"],
                condition=Q(is_active=True, building__isnull=True),
                name="logistics_dispatchrule_unique_school",
                violation_error_message=_("There is already a school-wide rule for this trade."),
            ),
        ]

    def __str__(self):
        where = self.building.name if self.building_id else _("All buildings")
        return f"{self.get_trade_display()} · {where} → {self.technician}"


class Material(OnceSubmitted, SchoolOwned):
    """The materials catalogue (台盆水管, 门锁, 灯管 …) technicians pick from."""

    school = school_field("materials")
    name = models.CharField(_("item"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    unit_cost = models.DecimalField(
        _("unit cost (yuan)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    trade = models.CharField(_("trade"), max_length=30, choices=Trade.choices, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["school", "name", "spec"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name", "spec"],
                name="logistics_material_unique_name_spec",
                violation_error_message=_("The catalogue already has this item and spec."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="logistics_material_unit_cost_not_negative",
                violation_error_message=_("The unit cost cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.spec}".strip()


class Ticket(SchoolOwned):
    # The foreign keys that lead an index of their own (see Meta.indexes) need no other.
    school = school_field("tickets", db_index=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_filed",
        verbose_name=_("requester"),
        db_index=False,
    )
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    room = models.ForeignKey(
        "logistics.Room", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("room")
    )
    trade = models.CharField(_("trade"), max_length=30, choices=Trade.choices)
    category = models.ForeignKey(
        RepairCategory,
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        verbose_name=_("category"),
    )
    description = models.TextField(_("what is wrong"), max_length=2000)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.SUBMITTED
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tickets_assigned",
        null=True,
        blank=True,
        verbose_name=_("technician"),
        db_index=False,
    )
    hold_reason = models.CharField(_("on hold because"), max_length=200, blank=True)
    cause = models.CharField(_("cause"), max_length=20, choices=DamageCause.choices, blank=True)
    work_notes = models.TextField(_("work notes"), max_length=2000, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    auto_confirmed = models.BooleanField(_("confirmed automatically"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Every step, time-stamped; the service levels are fixed when the ticket is filed.
    created_at = models.DateTimeField(_("filed at"))
    respond_by = models.DateTimeField(_("start by"))
    complete_by = models.DateTimeField(_("finish by"))
    assigned_at = models.DateTimeField(
        pgettext_lazy("repair", "assigned at"), null=True, blank=True
    )
    started_at = models.DateTimeField(pgettext_lazy("repair", "started at"), null=True, blank=True)
    done_at = models.DateTimeField(pgettext_lazy("repair", "finished at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("repair", "closed at"), null=True, blank=True)
    # The filing form's one-time key: a double submit files one ticket.
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("repair ticket")
        verbose_name_plural = _("repair tickets")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("dispatch_ticket", _("Can dispatch and reassign repair tickets")),
            ("work_ticket", _("Can work repair tickets")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "submission_key"],
                name="logistics_ticket_unique_submission",
                violation_error_message=_("This form has already been submitted."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="logistics_ticket_rating_1_to_5",
                violation_error_message=_("A rating is from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[TicketStatus.SUBMITTED, TicketStatus.CANCELLED])
                | Q(assignee__isnull=False),
                name="logistics_ticket_assignee_when_dispatched",
                violation_error_message=_("A dispatched ticket needs a technician."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[TicketStatus.DONE, TicketStatus.CLOSED])
                | Q(done_at__isnull=False),
                name="logistics_ticket_done_at_when_done",
                violation_error_message=_("A finished ticket needs the time it was finished."),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "-created_at", "-id"], name="ticket_school_created"),
            models.Index(fields=["school", "status"], name="ticket_school_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_trade_display()} · {self.room}"

    @property
    def status_color(self):
        return TicketStatus.color_of(self.status)

    @property
    def is_urgent(self):
        return self.urgency == Urgency.URGENT

    @property
    def urgency_color(self):
        return Urgency.color_of(self.urgency)

    @property
    def is_open(self):
        from logistics.repairs.choices import OPEN_TICKET_STATUSES

        return self.status in OPEN_TICKET_STATUSES

    def overdue_at(self, now):
        """Which target this open ticket has missed at ``now``: "response", "completion" or ""
        (the rule of ``logistics.repairs.overdue``)."""
        from logistics.repairs.overdue import missed_target

        return missed_target(self.status, self.started_at, self.respond_by, self.complete_by, now)


class TicketPhoto(StoredImage):
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="photos", verbose_name=_("ticket")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PhotoKind.choices)

    school_path = "ticket__school"

    class Meta:
        verbose_name = _("ticket photo")
        verbose_name_plural = _("ticket photos")
        ordering = ["ticket", "created_at", "pk"]


class TicketMaterial(OnceSubmitted, SchoolScoped):
    """A material used on a ticket: from the catalogue or entered freely."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="materials", verbose_name=_("ticket")
    )
    material = models.ForeignKey(
        Material,
        on_delete=models.PROTECT,
        related_name="uses",
        null=True,
        blank=True,
        verbose_name=_("catalogue item"),
    )
    name = models.CharField(_("item"), max_length=100)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    unit_cost = models.DecimalField(_("unit cost (yuan)"), max_digits=10, decimal_places=2)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    school_path = "ticket__school"

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        ordering = ["ticket", "added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="logistics_ticketmaterial_quantity_positive",
                violation_error_message=_("The quantity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="logistics_ticketmaterial_cost_not_negative",
                violation_error_message=_("The unit cost cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.spec} × {self.quantity}{self.unit}"

    @property
    def total(self):
        return (self.quantity * self.unit_cost).quantize(Decimal("0.01"))
