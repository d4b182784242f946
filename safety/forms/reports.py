"""Forms of the report pages (drills, responsibility agreements, the monthly report):
input and its shape; the rules are in ``safety.services``."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.fields import DateField
from logistics.common.periods import (  # noqa: F401 - the report pages' period, named here too
    PERIOD_FIELDS,
    PeriodForm,
    PeriodPicker,
    default_period,
    period_picker,
    resolve_period,
    school_semesters,
    semester_choices,
)
from logistics.common.submissions import SubmissionKeyField
from logistics.common.uploads import ImageUploadField
from logistics.models import User
from safety.choices import AgreementKind, DrillKind
from safety.selectors.rows import format_duration
from safety.selectors.stats import academic_year_of
from safety.services.drills import MAX_DRILL_PHOTOS
from safety.uploads import scan_clean

# The longest evacuation time accepted (a drill of a whole campus takes minutes, not hours).
MAX_EVACUATION_SECONDS = 3 * 3600
# Academic years offered around the current one.
YEARS_BACK, YEARS_AHEAD = 4, 1


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def school_people(school):
    """The active people of ``school``, by name (choices of a signer)."""
    return (
        User.objects.filter(school=school, is_active=True)
        .select_related("department")
        .order_by("name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.department_id:
            return f"{obj.display_name} · {obj.department.name}"
        return obj.display_name


# --- The period of the report pages --------------------------------------------------------


# The period of the report pages is the core's (``logistics.common.periods``): the school's
# semesters read once, kept under the school's figures stamp.
SchoolPeriodForm = PeriodForm
resolve_school_period = resolve_period


# --- Drills ---------------------------------------------------------------------------------

_MINUTES_SECONDS = re.compile(
    r"(\d{1,3})\s*(?:[:：]|分钟?|min|m|')\s*(\d{1,2})\s*(?:秒|s|\")?", re.I
)
_SECONDS = re.compile(r"(\d{1,5})\s*(?:秒|s|sec)?", re.I)
_MINUTES = re.compile(r"(\d{1,3})\s*(?:分钟?|min|m|')", re.I)


def parse_duration(value):
    """Seconds from what people type: ``3:05`` (minutes:seconds, also with a full-width
    colon or 3分05秒), ``4分`` (minutes) or ``185`` (seconds). None when empty."""
    value = (value or "").strip()
    if not value:
        return None
    if match := _MINUTES_SECONDS.fullmatch(value):
        minutes, seconds = int(match[1]), int(match[2])
        if seconds > 59:
            raise ValidationError(_("The seconds must be between 0 and 59."), code="seconds")
        return minutes * 60 + seconds
    if match := _MINUTES.fullmatch(value):
        return int(match[1]) * 60
    if match := _SECONDS.fullmatch(value):
        return int(match[1])
    raise ValidationError(
        _("Enter the time as minutes:seconds, e.g. 3:05."), code="invalid_duration"
    )


class DurationField(forms.CharField):
    """A time in minutes:seconds, cleaned to whole seconds (None when empty)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"placeholder": "3:05", "inputmode": "numeric"}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_duration(value) if isinstance(value, int) else value

    def clean(self, value):
        value = super().clean(value)
        seconds = parse_duration(value)
        if seconds is not None and not 1 <= seconds <= MAX_EVACUATION_SECONDS:
            raise ValidationError(
                _("Enter a time between 0:01 and %(limit)s."),
                code="range",
                params={"limit": format_duration(MAX_EVACUATION_SECONDS)},
            )
        return seconds


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DrillPhotosField(ImageUploadField):
    """Up to ``MAX_DRILL_PHOTOS`` pictures, each cleaned (a list of ``CleanImage``)."""

    widget = MultipleImageInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        uploads = [u for u in uploads if u]
        if len(uploads) > MAX_DRILL_PHOTOS:
            raise ValidationError(
                _("At most %(count)s photos."), code="too_many", params={"count": MAX_DRILL_PHOTOS}
            )
        cleaned, errors = [], []
        for upload in uploads:
            try:
                cleaned.append(super().clean(upload, initial))
            except ValidationError as exc:
                name = getattr(upload, "name", "")
                errors += [f"{name}: {message}" if name else message for message in exc.messages]
        if errors:
            raise ValidationError(errors)
        return cleaned


class DrillForm(forms.Form):
    """A drill held: what, when, where, how many took part, how fast, photos."""

    kind = forms.ChoiceField(label=_("Kind of drill"), choices=DrillKind.choices)
    held_on = DateField(label=_("Held on"), widget=_date_input())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Autumn fire evacuation drill")}),
    )
    location = forms.CharField(
        label=pgettext_lazy("drill", "Where"), max_length=200, required=False
    )
    participants = forms.IntegerField(
        label=_("Participants"),
        min_value=1,
        max_value=100_000,
        help_text=_("Students and staff who took part."),
    )
    evacuation_time = DurationField(
        label=_("Evacuation time"),
        required=False,
        help_text=_(
            "Minutes:seconds from the alarm until everyone is at the assembly point, e.g. 3:05."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it went, what to improve."),
    )
    photos = DrillPhotosField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to six photos."),
    )

    def __init__(self, *args, drill=None, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if drill is not None:
            self.fields["photos"].help_text = _("Up to six more photos; the earlier ones stay.")
            if not self.is_bound:
                self.initial.update(
                    kind=drill.kind,
                    held_on=drill.held_on,
                    title=drill.title,
                    location=drill.location,
                    participants=drill.participants,
                    evacuation_time=drill.evacuation_seconds,
                    notes=drill.notes,
                )
        elif not self.is_bound:
            self.initial.setdefault("held_on", self.today)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > self.today:
            raise ValidationError(_("Record a drill once it has been held."))
        return held_on

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "participants": data["participants"],
            "evacuation_seconds": data["evacuation_time"],
            "title": data["title"],
            "location": data["location"],
            "notes": data["notes"],
            "photos": data["photos"],
            # Only a new drill's form carries the one-time key (``drill_create``).
            **({"submission_key": data["submission_key"]} if "submission_key" in data else {}),
        }


# --- Responsibility agreements ---------------------------------------------------------------


def year_choices(today=None):
    current = academic_year_of(today or timezone.localdate())
    return [
        (year, f"{year}~{year + 1}")
        for year in range(current + YEARS_AHEAD, current - YEARS_BACK - 1, -1)
    ]


class ScanField(forms.FileField):
    """The scanned copy of a signed agreement: a PDF or a picture, checked by its bytes
    (cleaned to a ``CleanPdf`` or a ``CleanImage``)."""

    widget = forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"})

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return scan_clean(upload)


class AgreementForm(forms.Form):
    signer = PersonChoiceField(
        label=_("Signed by"), queryset=User.objects.none(), empty_label=_("- Select -")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the kind's name."),
    )
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int, choices=())
    signed_on = DateField(label=_("Signed on"), widget=_date_input())
    scan = ScanField(
        label=_("Scanned copy"),
        required=False,
        help_text=_("The signed agreement as a PDF or a photo."),
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args, school, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.today = today
        self.fields["signer"].queryset = school_people(school)
        self.fields["year"].choices = year_choices(today)
        if not self.is_bound:
            self.initial.setdefault("year", academic_year_of(today))
            self.initial.setdefault("signed_on", today)
            self.initial.setdefault("kind", AgreementKind.STAFF)

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > self.today:
            raise ValidationError(_("The date signed cannot be in the future."))
        return signed_on


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw it"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Recorded twice; signed again")}),
    )


class YearForm(forms.Form):
    """The academic year of the agreements list (the current one when not chosen)."""

    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int, choices=(), required=False)

    def __init__(self, data=None, *, today=None, **kwargs):
        data = {"year": data.get("year")} if data is not None and data.get("year") else None
        super().__init__(data, **kwargs)
        today = today or timezone.localdate()
        self.fields["year"].choices = year_choices(today)
        self.default = academic_year_of(today)
        self.initial["year"] = self.default

    @property
    def chosen_year(self):
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return self.default


# --- The monthly report -------------------------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class MonthForm(forms.Form):
    """A month (``YYYY-MM``), not after the current one; last month by default."""

    month = DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MonthInput)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if not self.is_bound:
            self.initial["month"] = (
                self.today.replace(day=1) - datetime.timedelta(days=1)
            ).replace(day=1)

    def clean_month(self):
        month = self.cleaned_data["month"].replace(day=1)
        if month > self.today:
            raise ValidationError(_("This month has not begun yet."))
        if month.year < 2000:
            raise ValidationError(_("Choose a month from 2000 on."))
        return month
