"""The core's reminder rules: keeping the school's semesters set up."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logistics.choices import Role
from logistics.models import School, Semester
from logistics.reminders import Due, ReminderRule
from logistics.selectors import people_with_role


class SemesterEndingRule(ReminderRule):
    """Before the current semester ends, ask general affairs to set up the next one."""

    name = "semester_ending"

    def due(self, now):
        today = timezone.localdate(now)
        later = Semester.objects.filter(
            school=OuterRef("school"), start_date__gt=OuterRef("end_date")
        )
        current = (
            Semester.objects.filter(is_current=True, school__is_active=True, end_date__gte=today)
            .annotate(has_next=Exists(later))
            .filter(has_next=False)
            .select_related("school")
        )
        for semester in current:
            days_left = (semester.end_date - today).days
            if days_left > semester.school.semester_reminder_days:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                yield Due(
                    school=semester.school,
                    key=f"{semester.school_id}:{semester.pk}",
                    title=ngettext(
                        "%(semester)s ends in %(days)s day: set up the next semester",
                        "%(semester)s ends in %(days)s days: set up the next semester",
                        days_left,
                    )
                    % {"semester": semester.label, "days": days_left},
                    body=_("It ends on %(date)s and no later semester exists yet.")
                    % {"date": semester.end_date},
                    url=reverse("semester_create"),
                    recipients=people_with_role(semester.school, Role.GENERAL_AFFAIRS),
                )


class NoCurrentSemesterRule(ReminderRule):
    """A school without a current semester covering today is told once a week."""

    name = "no_current_semester"

    def due(self, now):
        today = timezone.localdate(now)
        covered = Semester.objects.filter(
            school=OuterRef("pk"), is_current=True, start_date__lte=today, end_date__gte=today
        )
        year, week, _weekday = today.isocalendar()
        for school in (
            School.objects.filter(is_active=True).annotate(ok=Exists(covered)).filter(ok=False)
        ):
            with translation.override(settings.LANGUAGE_CODE):
                yield Due(
                    school=school,
                    key=f"{school.pk}:{year}-W{week:02d}",
                    title=_("No current semester covers today"),
                    body=_(
                        "Records are counted by semester: create this semester or mark it "
                        "as current."
                    ),
                    url=reverse("semester_list"),
                    recipients=people_with_role(school, Role.GENERAL_AFFAIRS),
                )


class TicketOverdueRule(ReminderRule):
    """An open repair ticket that missed its start or finish target: its technician (or,
    while nobody has it, general affairs) is reminded once per missed target."""

    name = "ticket_overdue"

    def due(self, now):
        from logistics.models import Reminder, Ticket
        from logistics.selectors.repairs import overdue_q

        overdue = list(
            Ticket.objects.filter(overdue_q(now), school__is_active=True)
            .select_related("school", "assignee", "room__building")
            .order_by("pk")
        )
        keys = {}
        for ticket in overdue:
            missed = ticket.overdue_at(now)
            deadline = ticket.respond_by if missed == "response" else ticket.complete_by
            # A reopened ticket gets a new target, and so a new reminder.
            keys[ticket.pk] = (f"{ticket.pk}:{missed}:{deadline:%Y%m%d%H%M}", missed, deadline)
        # Reminders already sent are skipped here, in one query, not by one failed
        # insert each on every tick.
        sent = set(
            Reminder.objects.filter(
                rule=self.name, key__in=[key for key, _m, _d in keys.values()]
            ).values_list("key", flat=True)
        )
        for ticket in overdue:
            key, missed, deadline = keys[ticket.pk]
            if key in sent:
                continue
            recipients = (
                [ticket.assignee]
                if ticket.assignee_id and ticket.assignee.is_active
                else people_with_role(ticket.school, Role.GENERAL_AFFAIRS)
            )
            with translation.override(settings.LANGUAGE_CODE):
                if missed == "response":
                    title = _("Repair #%(number)s is overdue: nobody has started it")
                else:
                    title = _("Repair #%(number)s is overdue: it is not finished")
                yield Due(
                    school=ticket.school,
                    key=key,
                    title=title % {"number": ticket.pk},
                    body=_("%(room)s · due %(deadline)s")
                    % {
                        "room": ticket.room,
                        "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                    },
                    url=reverse("ticket_detail", args=[ticket.pk]),
                    recipients=recipients,
                )
