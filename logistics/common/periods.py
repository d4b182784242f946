"""The period of the statistics and the dashboard: a semester of the school or two dates."""

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.common.fields import DateField
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


class PeriodForm(forms.Form):
    """Either ``semester`` (one of the school's) or ``start`` and ``end``; neither means the
    current semester, or the last 30 days when the school has none."""

    semester = forms.ModelChoiceField(
        queryset=Semester.objects.none(),
        required=False,
        label=_("Semester"),
        empty_label=_("- Choose a semester -"),
    )
    start = DateField(required=False, label=_("From"), widget=DateInput)
    end = DateField(required=False, label=_("To"), widget=DateInput)

    def __init__(self, data=None, *, school, today=None, **kwargs):
        # Only the period's own parameters count: a page's other ones are not an error.
        if data is not None:
            data = {k: data.get(k) for k in self.base_fields if data.get(k) not in (None, "")}
        super().__init__(data or None, **kwargs)
        self.school = school
        self.today = today or timezone.localdate()
        self.fields["semester"].queryset = Semester.objects.filter(school=school).order_by(
            "-start_date"
        )
        self.period = None

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
        current = Semester.objects.filter(school=self.school, is_current=True).first()
        if current is not None:
            return Period(current.start_date, current.end_date, current)
        return Period(self.today - datetime.timedelta(days=DEFAULT_DAYS - 1), self.today)


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


def period_bounds(start, end):
    """The aware datetimes ``[from, until)`` of the local dates ``start``..``end``."""
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min), tz)
    until = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min), tz
    )
    return since, until
