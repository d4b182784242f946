"""Districts, schools and the places and units inside a school."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from logistics.choices import RoomKind, Term, WebhookKind
from logistics.common.models import SchoolOwned, SchoolScoped, school_field
from logistics.common.submissions import OnceSubmitted


class District(models.Model):
    """An education district (区教育局); its viewers read the schools in it."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50)

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="logistics_district_unique_code",
                violation_error_message=_("A district with this code already exists."),
            )
        ]

    def __str__(self):
        return self.name


class School(SchoolScoped):
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    code = models.SlugField(_("code"), max_length=50, help_text=_("Short identifier, e.g. wjgz."))
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Settings the general affairs office controls.
    webhook_kind = models.CharField(
        _("group chat robot"), max_length=20, choices=WebhookKind.choices, blank=True
    )
    webhook_url = models.URLField(_("group chat webhook address"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("webhook signing secret"),
        max_length=200,
        blank=True,
        help_text=_("Only for DingTalk robots with signing enabled."),
    )
    email_notifications = models.BooleanField(_("send notifications by email"), default=True)
    semester_reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a semester ends"), default=14
    )
    # Repair service levels (hours from filing) and the confirmation period.
    repair_response_hours_urgent = models.PositiveSmallIntegerField(
        _("urgent repairs: start within (hours)"), default=2
    )
    repair_response_hours_normal = models.PositiveSmallIntegerField(
        _("normal repairs: start within (hours)"), default=24
    )
    repair_complete_hours_urgent = models.PositiveSmallIntegerField(
        _("urgent repairs: finish within (hours)"), default=24
    )
    repair_complete_hours_normal = models.PositiveSmallIntegerField(
        _("normal repairs: finish within (hours)"), default=72
    )
    # Kept by ``ticket_file`` in the transaction that files a ticket (tickets are never
    # deleted): the ticket list's total without a COUNT over the school's tickets.
    ticket_count = models.PositiveIntegerField(_("repair tickets filed"), default=0, editable=False)
    # Raised (``logistics.services.organisation.figures_changed``) after every write to a
    # record the statistics pages count: a page may keep its figures under this stamp (it
    # comes with the signed-in user's school, no query) until the next change.
    figures_version = models.PositiveBigIntegerField(
        _("version of the figures"), default=0, editable=False
    )
    repair_auto_confirm_days = models.PositiveSmallIntegerField(
        _("confirm finished repairs automatically after (days)"),
        default=3,
        help_text=_("If the requester neither confirms nor reopens a finished repair."),
    )

    school_path = ""

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        # The pages that are no model's list: the dashboard (its menu entry and page).
        permissions = [("view_dashboard", _("Can view the school's dashboard"))]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="logistics_school_unique_code",
                violation_error_message=_("A school with this code already exists."),
            ),
            models.CheckConstraint(
                condition=Q(webhook_kind="") | ~Q(webhook_url=""),
                name="logistics_school_webhook_url_when_kind",
                violation_error_message=_("Enter the robot's webhook address."),
            ),
            models.CheckConstraint(
                condition=Q(repair_response_hours_urgent__gte=1)
                & Q(repair_response_hours_normal__gte=1)
                & Q(repair_complete_hours_urgent__gte=models.F("repair_response_hours_urgent"))
                & Q(repair_complete_hours_normal__gte=models.F("repair_response_hours_normal")),
                name="logistics_school_repair_service_levels",
                violation_error_message=_(
                    "Repair times must be at least one hour, and the time to finish at least "
                    "the time to start."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class Campus(OnceSubmitted, SchoolOwned):
    school = school_field("campuses")
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="logistics_campus_unique_name",
                violation_error_message=_("This school already has a campus with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Building(OnceSubmitted, SchoolOwned):
    school = school_field("buildings")
    campus = models.ForeignKey(
        Campus,
        on_delete=models.PROTECT,
        related_name="buildings",
        null=True,
        blank=True,
        verbose_name=_("campus"),
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=30, blank=True)
    floors_above = models.PositiveSmallIntegerField(_("floors above ground"), default=1)
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="logistics_building_unique_name",
                violation_error_message=_("This school already has a building with this name."),
            ),
            models.CheckConstraint(
                condition=Q(floors_above__gte=1),
                name="logistics_building_floors_above_min_1",
                violation_error_message=_("A building has at least one floor above ground."),
            ),
        ]

    def __str__(self):
        return self.name


class Room(OnceSubmitted, SchoolScoped):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("building")
    )
    floor = models.SmallIntegerField(_("floor"), help_text=_("Negative for basements."))
    number = models.CharField(_("room number"), max_length=30)
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=RoomKind.choices, default=RoomKind.CLASSROOM
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    school_path = "building__school"

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["building__name", "floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "number"],
                name="logistics_room_unique_number",
                violation_error_message=_("This building already has a room with this number."),
            ),
            models.CheckConstraint(
                condition=~Q(floor=0),
                name="logistics_room_floor_not_zero",
                violation_error_message=_(
                    "There is no floor 0: the ground floor is 1, the first basement -1."
                ),
            ),
        ]
        indexes = [models.Index(fields=["building", "floor"], name="room_building_floor")]

    def __str__(self):
        label = f"{self.building.name} {self.number}"
        return f"{label} {self.name}" if self.name else label


class Department(OnceSubmitted, SchoolOwned):
    school = school_field("departments")
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "name"],
                name="logistics_department_unique_name",
                violation_error_message=_("This school already has a department with this name."),
            ),
        ]

    def __str__(self):
        return self.name


class Semester(OnceSubmitted, SchoolOwned):
    """A term of an academic year (学年 + 第一/第二学期).

    Within a school semesters never overlap (checked by ``semester_save`` under a lock
    on the school row) and at most one is current (a partial unique constraint).
    """

    school = school_field("semesters")
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), help_text=_("The year it starts in: 2026 means 2026~2027.")
    )
    term = models.PositiveSmallIntegerField(_("term"), choices=Term.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["school", "-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"],
                name="logistics_semester_unique_term",
                violation_error_message=_("This term of this academic year already exists."),
            ),
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(is_current=True),
                name="logistics_semester_one_current",
                violation_error_message=_("Only one semester can be the current one."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")),
                name="logistics_semester_ends_after_start",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(academic_year__gte=2000) & Q(academic_year__lte=2100),
                name="logistics_semester_academic_year_range",
                violation_error_message=_("Enter an academic year between 2000 and 2100."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def year_label(self):
        return f"{self.academic_year}~{self.academic_year + 1}"

    @property
    def label(self):
        from django.utils.translation import gettext

        return gettext("%(years)s academic year, %(term)s") % {
            "years": self.year_label,
            "term": self.get_term_display(),
        }
