"""Campus safety's part of the tick: creating each period's inspections, and the
reminders (each recorded under a unique (rule, key), so it is sent once however many
times beat ticks).

- tick job ``safety_inspections_plan``: the inspection of every schedule's current period
  (``safety.services.inspections_plan``);
- ``safety_inspection_assigned``: an inspection to do whose period has begun → its
  inspector, once;
- ``safety_inspection_overdue``: an inspection not submitted when its period has ended →
  its inspector, once (within ``OVERDUE_WINDOW`` of the due time);
- ``safety_hazard_overdue``: a hazard still to be rectified after its deadline → the
  responsible person (or, without one, general affairs), once per deadline (a deferral
  sets a new deadline, and so a new reminder).

Each rule leaves out, in SQL, what it has already reminded.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from logistics.choices import Role
from logistics.models import Reminder
from logistics.reminders import Due, ReminderRule
from logistics.selectors import people_with_role
from safety.choices import OPEN_HAZARD_STATUSES, OPEN_INSPECTION_STATUSES
from safety.models import Hazard, Inspection
from safety.services.common import HAZARD_DETAIL_URL, INSPECTION_DETAIL_URL, link

# An inspection missed longer ago than this is not reminded any more (after a long stop
# of the tick nobody gets a flood of old reminders).
OVERDUE_WINDOW = datetime.timedelta(days=30)


def _not_reminded(rule_name, key):
    return ~Exists(Reminder.objects.filter(rule=rule_name, key=key))


def _pk_key():
    return Cast(OuterRef("pk"), output_field=CharField())


def inspection_assigned_due(inspection):
    """The reminder that an inspection is to be done (its ``Due``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return Due(
            school=inspection.school,
            key=str(inspection.pk),
            title=_("Inspection to do: %(checklist)s (%(period)s)")
            % {"checklist": inspection.template.name, "period": inspection.period_label},
            body=_("Due by %(time)s")
            % {"time": timezone.localtime(inspection.due_at).strftime("%Y-%m-%d %H:%M")},
            url=link(INSPECTION_DETAIL_URL, inspection.pk),
            recipients=[inspection.inspector],
        )


def inspection_assigned_now(inspection):
    """Send the "to do" reminder of an inspection at once (one made by hand whose period
    has begun), recorded as the rule records it, so the tick does not send it again."""
    from logistics.services.notifications import notify

    due = inspection_assigned_due(inspection)
    rule = InspectionAssignedRule.name
    try:
        with transaction.atomic():
            Reminder.objects.create(school=due.school, rule=rule, key=due.key, recipients=1)
    except IntegrityError:
        return []
    return notify(
        recipients=due.recipients,
        key=f"reminder:{rule}:{due.key}",
        title=due.title,
        body=due.body,
        url=due.url,
        school=due.school,
    )


class InspectionAssignedRule(ReminderRule):
    """An inspection to do whose period has begun: its inspector is told once."""

    name = "safety_inspection_assigned"

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

    name = "safety_inspection_overdue"

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


def register(registry):
    """Called from ``SafetyConfig.ready()``: the tick job and the reminder rules."""
    from safety.services.checklists import inspections_plan

    registry.register_tick_job("safety_inspections_plan", inspections_plan)
    registry.register_reminder(InspectionAssignedRule())
    registry.register_reminder(InspectionOverdueRule())
    registry.register_reminder(HazardOverdueRule())
