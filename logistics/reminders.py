"""The core's reminder rules (keeping the school's semesters set up) and its tick job
(resuming the imports left queued or stopped), declared for ``registry.autodiscover``."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from logistics.choices import Role
from logistics.common.reminders import Due, ReminderRule
from logistics.models import School, Semester
from logistics.selectors import people_with_role
from logistics.services import reminders as names
from logistics.services.imports import imports_resume


class SemesterEndingRule(ReminderRule):
    """Before the current semester ends, ask general affairs to set up the next one."""

    name = names.SEMESTER_ENDING

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
                    key=names.semester_ending_key(semester),
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

    name = names.NO_CURRENT_SEMESTER

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
                    key=f"{names.no_current_semester_prefix(school.pk)}{year}-W{week:02d}",
                    title=_("No current semester covers today"),
                    body=_(
                        "Records are counted by semester: create this semester or mark it "
                        "as current."
                    ),
                    url=reverse("semester_list"),
                    recipients=people_with_role(school, Role.GENERAL_AFFAIRS),
                )


reminder_rules = [SemesterEndingRule(), NoCurrentSemesterRule()]
# Imports run as jobs; the tick resumes what was left queued or stopped.
tick_jobs = {"imports_resume": imports_resume}
