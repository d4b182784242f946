"""Campus safety's part of the tick: creating each period's inspections, and the
reminders (each recorded under a unique (rule, key), so it is sent once however many
times beat ticks). Declared here (``reminder_rules``, ``tick_jobs``) and registered by
``registry.autodiscover``.

- tick job ``safety_inspections_plan``: the inspection of every schedule's current period
  (``safety.services.inspections_plan``);
- ``safety_inspection_assigned``: an inspection to do whose period has begun → its
  inspector, once (one made by hand is told at once by its service, with the same item:
  ``safety.services.reminders``);
- ``safety_inspection_overdue``: an inspection not submitted when its period has ended →
  its inspector, once (within ``OVERDUE_WINDOW`` of the due time);
- ``safety_hazard_overdue``: a hazard still to be rectified after its deadline → the
  responsible person (or, without one, general affairs), once per deadline (a deferral
  sets a new deadline, and so a new reminder);
- ``safety_monthly_report``: from the 1st of a month, last month's hazard check report
  (隐患排查表) of every active school that had an inspection due or a hazard found in
  it is asked for (``safety.documents``), once, and general affairs and the district's
  viewers are told, with a link to the document.

Each rule leaves out, in SQL, what it has already reminded.
"""

import datetime

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from logistics.choices import Role
from logistics.common.periods import period_bounds
from logistics.common.reminders import Due, ReminderRule
from logistics.models import Reminder, School, User
from logistics.selectors import people_with_role
from safety.choices import OPEN_HAZARD_STATUSES, OPEN_INSPECTION_STATUSES
from safety.documents import MONTHLY_KIND, monthly_title
from safety.models import Hazard, Inspection
from safety.selectors.reports import month_bounds
from safety.services.checklists import inspections_plan
from safety.services.common import HAZARD_DETAIL_URL, INSPECTION_DETAIL_URL, link
from safety.services.reminders import (
    INSPECTION_ASSIGNED,
    INSPECTION_OVERDUE,
    inspection_assigned_due,
)

# The page of a printed document (its progress, then the download).
DOCUMENT_URL = "summary_document"

# An inspection missed longer ago than this is not reminded any more (after a long stop
# of the tick nobody gets a flood of old reminders).
OVERDUE_WINDOW = datetime.timedelta(days=30)


def _not_reminded(rule_name, key):
    return ~Exists(Reminder.objects.filter(rule=rule_name, key=key))


def _pk_key():
    return Cast(OuterRef("pk"), output_field=CharField())


class InspectionAssignedRule(ReminderRule):
    """An inspection to do whose period has begun: its inspector is told once."""

    name = INSPECTION_ASSIGNED

    def due(self, now):
        today = timezone.localdate(now)
        inspections = (
            Inspection.objects.filter(
                status__in=OPEN_INSPECTION_STATUSES,
                period_start__lte=today,
                due_at__gt=now,
                school__is_active=True,
                inspector__is_active=True,
            )
            .filter(_not_reminded(self.name, _pk_key()))
            .select_related("school", "template", "inspector")
            .order_by("pk")
        )
        for inspection in inspections.iterator(chunk_size=500):
            yield inspection_assigned_due(inspection)


class InspectionOverdueRule(ReminderRule):
    """An inspection not submitted by the end of its period: its inspector, once."""

    name = INSPECTION_OVERDUE

    def due(self, now):
        inspections = (
            Inspection.objects.filter(
                status__in=OPEN_INSPECTION_STATUSES,
                due_at__lte=now,
                due_at__gt=now - OVERDUE_WINDOW,
                school__is_active=True,
                inspector__is_active=True,
            )
            .filter(_not_reminded(self.name, _pk_key()))
            .select_related("school", "template", "inspector")
            .order_by("pk")
        )
        for inspection in inspections.iterator(chunk_size=500):
            with translation.override(settings.LANGUAGE_CODE):
                yield Due(
                    school=inspection.school,
                    key=str(inspection.pk),
                    title=_("Inspection overdue: %(checklist)s (%(period)s)")
                    % {"checklist": inspection.template.name, "period": inspection.period_label},
                    body=_("It was due by %(time)s and is not submitted.")
                    % {"time": timezone.localtime(inspection.due_at).strftime("%Y-%m-%d %H:%M")},
                    url=link(INSPECTION_DETAIL_URL, inspection.pk),
                    recipients=[inspection.inspector],
                )


class HazardOverdueRule(ReminderRule):
    """A hazard still to be rectified after its deadline: once per deadline."""

    name = "safety_hazard_overdue"

    def due(self, now):
        today = timezone.localdate(now)
        key = Concat(
            _pk_key(),
            Value(":"),
            Cast(OuterRef("deadline"), output_field=CharField()),
            output_field=CharField(),
        )
        hazards = (
            Hazard.objects.filter(
                status__in=OPEN_HAZARD_STATUSES, deadline__lt=today, school__is_active=True
            )
            .filter(_not_reminded(self.name, key))
            .select_related("school", "responsible_person", "room__building")
            .order_by("pk")
        )
        for hazard in hazards.iterator(chunk_size=500):
            person = hazard.responsible_person
            recipients = (
                [person]
                if person is not None and person.is_active
                else people_with_role(hazard.school, Role.GENERAL_AFFAIRS)
            )
            with translation.override(settings.LANGUAGE_CODE):
                yield Due(
                    school=hazard.school,
                    key=f"{hazard.pk}:{hazard.deadline.isoformat()}",
                    title=_("Hazard overdue: %(where)s") % {"where": hazard.where},
                    body=_("It was to be rectified by %(deadline)s.")
                    % {"deadline": date_format(hazard.deadline, "Y-m-d")},
                    url=link(HAZARD_DETAIL_URL, hazard.pk),
                    recipients=recipients,
                )


def previous_month(today):
    """``(first, last)`` day of the month before the one ``today`` is in."""
    return month_bounds(today.replace(day=1) - datetime.timedelta(days=1))


def district_viewers(school):
    if school.district_id is None:
        return User.objects.none()
    return User.objects.filter(
        district_id=school.district_id, is_active=True, groups__name=str(Role.DISTRICT_VIEWER)
    ).distinct()


def _monthly_request(first, last):
    """The reminder's action: ask for the school's report (once: the reminder row is the
    guard) and link the notification to the document."""
    from logistics.documents.services.documents import document_request

    def action(item):
        document, _created = document_request(
            kind=MONTHLY_KIND, school=item.school, start=first, end=last, actor=None
        )
        item.url = link(DOCUMENT_URL, document.pk)
        item.extra["document"] = document.pk

    return action


class MonthlyHazardReportRule(ReminderRule):
    """Last month's hazard check report of every active school with any inspection due or
    hazard found in it: asked for once per (school, month) from the 1st (local time);
    general affairs and the district's viewers are told."""

    name = "safety_monthly_report"

    def due(self, now):
        first, last = previous_month(timezone.localdate(now))
        since, until = period_bounds(first, last)
        suffix = f":{first:%Y-%m}"
        key = Concat(
            Cast(OuterRef("pk"), output_field=CharField()), Value(suffix), output_field=CharField()
        )
        inspected = Inspection.objects.filter(
            school=OuterRef("pk"), period_end__gte=first, period_end__lte=last
        )
        found = Hazard.objects.filter(
            school=OuterRef("pk"), found_at__gte=since, found_at__lt=until
        )
        schools = (
            School.objects.filter(is_active=True)
            .filter(Exists(inspected) | Exists(found))
            .filter(_not_reminded(self.name, key))
            .order_by("pk")
        )
        for school in schools:
            recipients = list(people_with_role(school, Role.GENERAL_AFFAIRS))
            recipients += [u for u in district_viewers(school) if u not in recipients]
            with translation.override(settings.LANGUAGE_CODE):
                yield Due(
                    school=school,
                    key=f"{school.pk}{suffix}",
                    title=monthly_title(school, first),
                    body=_(
                        "The hazard check report for %(month)s is being made from the "
                        "records; the link opens it."
                    )
                    % {"month": date_format(first, "YEAR_MONTH_FORMAT")},
                    recipients=recipients,
                    action=_monthly_request(first, last),
                )


reminder_rules = [
    InspectionAssignedRule(),
    InspectionOverdueRule(),
    HazardOverdueRule(),
    MonthlyHazardReportRule(),
]
tick_jobs = {"safety_inspections_plan": inspections_plan}
