"""The period of the statistics and the dashboard: a semester of the school or two dates."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.choices import Term
from logistics.common.fields import DateField
from logistics.common.figures import kept_figures
from logistics.models import Semester

# The longest custom range (about three years) and the default without a current semester.
MAX_SPAN_DAYS = 3 * 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    semester: Semester | None = None

    @property
    def label(self):
        if self.semester is not None:
            return self.semester.label
        return gettext("%(start)s to %(end)s") % {
            "start": formats.date_format(self.start, "Y-m-d"),
            "end": formats.date_format(self.end, "Y-m-d"),
        }

    @property
    def query(self):
        """The GET parameters that choose this period again."""
        if self.semester is not None:
            return f"semester={self.semester.pk}"
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def school_semesters(school):
    """The school's semesters, the latest first: one query, or none while they are kept
    under the school's figures stamp (raised by every write to a semester)."""
    return kept_figures(
        "core:semesters",
        school,
        lambda: (list(Semester.objects.filter(school=school).order_by("-start_date")), None),
    )


def semester_choices(semesters):
    """The semester select's choices (``Semester.label``, its text and the terms' names
    looked up once)."""
    label, terms = gettext("%(years)s academic year, %(term)s"), dict(Term.choices)
    return [("", _("- Choose a semester -"))] + [
        (str(s.pk), label % {"years": s.year_label, "term": terms.get(s.term, s.term)})
        for s in semesters
    ]


def default_period(semesters, today):
    """The current semester, or the last 30 days when the school has none."""
    for semester in semesters:
        if semester.is_current:
            return Period(semester.start_date, semester.end_date, semester)
    return Period(today - datetime.timedelta(days=DEFAULT_DAYS - 1), today)


class PeriodForm(forms.Form):
    """Either ``semester`` (one of the school's) or ``start`` and ``end``; neither means the
    current semester, or the last 30 days when the school has none. The school's
    semesters are read once (``school_semesters``): the choices, the default and the
    chosen semester."""

    # The choices are the semesters read in __init__, not a queryset read again.
    semester = forms.TypedChoiceField(label=_("Semester"), required=False, empty_value=None)
    start = DateField(required=False, label=_("From"), widget=DateInput)
    end = DateField(required=False, label=_("To"), widget=DateInput)

    def __init__(self, data=None, *, school, today=None, semesters=None, **kwargs):
        # Only the period's own parameters count: a page's other ones are not an error.
        if data is not None:
            data = {k: data.get(k) for k in self.base_fields if data.get(k) not in (None, "")}
        super().__init__(data or None, **kwargs)
        self.school = school
        self.today = today or timezone.localdate()
        self.period = None
        self.semesters = school_semesters(school) if semesters is None else semesters
        field = self.fields["semester"]
        field.coerce = {str(s.pk): s for s in self.semesters}.__getitem__
        field.choices = semester_choices(self.semesters)

    def clean(self):
        data = super().clean()
        semester, start, end = data.get("semester"), data.get("start"), data.get("end")
        if self.errors:
            return data
        if semester is not None and (start or end):
            raise forms.ValidationError(_("Choose a semester or two dates, not both."))
        if semester is not None:
            self.period = Period(semester.start_date, semester.end_date, semester)
            return data
        if not start:
            self.add_error("start", _("Enter the first day of the period."))
        if not end:
            self.add_error("end", _("Enter the last day of the period."))
        if start and end:
            if start > end:
                self.add_error("end", _("The last day cannot be before the first day."))
            elif (end - start).days >= MAX_SPAN_DAYS:
                self.add_error(None, _("A period can be at most three years long."))
            else:
                self.period = Period(start, end)
        return data

    def default_period(self):
        return default_period(self.semesters, self.today)


def resolve_period(school, data, *, today=None):
    """The form (to show) and the period it chose, or None when its input is wrong."""
    form = PeriodForm(data, school=school, today=today)
    if not form.is_bound:
        period = form.default_period()
        if period.semester is not None:
            form.initial = {"semester": period.semester.pk}
        else:
            form.initial = {"start": period.start, "end": period.end}
        return form, period
    if form.is_valid():
        return form, form.period
    return form, None


PERIOD_FIELDS = ("semester", "start", "end")


@dataclass
class PeriodPicker:
    """What the period picker shows and what it chose: the semesters to choose from, the
    values shown (the choice or the dates typed, else the default), the errors by field
    (``"__all__"`` for the form's own) and the period (None when the input is wrong)."""

    choices: list
    values: dict
    errors: dict
    period: Period | None
    labels = {name: PeriodForm.base_fields[name].label for name in PERIOD_FIELDS}


def period_picker(school, data, *, today=None) -> PeriodPicker:
    """The period of a statistics page from its address (``resolve_period``'s rules);
    without a period in the address no form is even built."""
    today = today or timezone.localdate()
    semesters = school_semesters(school)
    if not any(data.get(name) for name in PERIOD_FIELDS):
        period = default_period(semesters, today)
        values = dict.fromkeys(PERIOD_FIELDS)
        if period.semester is not None:
            values["semester"] = period.semester.pk
        else:
            values.update(start=period.start, end=period.end)
        return PeriodPicker(semester_choices(semesters), values, {}, period)
    form = PeriodForm(data, school=school, today=today, semesters=semesters)
    valid = form.is_valid()
    return PeriodPicker(
        form.fields["semester"].choices,
        {name: form.data.get(name) for name in PERIOD_FIELDS},
        form.errors,
        form.period if valid else None,
    )


def period_bounds(start, end):
    """The aware datetimes ``[from, until)`` of the local dates ``start``..``end``."""
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    return since, until
