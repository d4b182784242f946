"""Forms of the inspection pages: the list's filters, an inspection by hand, one answer on
the phone, submitting and cancelling, and the set-up of checklists and schedules.

Input and its shape only; the rules are in ``safety.services``."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common.fields import DateField, DateFilter
from logistics.common.submissions import SubmissionKeyField
from logistics.common.uploads import ImageUploadField
from logistics.forms import SchoolScopedForm
from logistics.models import Room, User
from safety.choices import (
    HazardLevel,
    InspectionKind,
    InspectionStatus,
    Outcome,
    SafetyArea,
)
from safety.models import ChecklistTemplate, Inspection, InspectionSchedule
from safety.overdue import inspection_overdue_q
from safety.selectors import templates_in_use
from safety.services import checklists

DATE_WIDGET = {"type": "date"}
# A big button per answer, in the order an inspector meets them.
OUTCOME_ICONS = {
    Outcome.OK: "bi-check-circle",
    Outcome.HAZARD: "bi-exclamation-triangle",
    Outcome.NOT_APPLICABLE: "bi-dash-circle",
}


def date_input():
    # A date input only accepts ISO dates, whatever the interface language.
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


def school_people(school):
    """The active people of the school (who may be asked to inspect)."""
    return User.objects.filter(school=school, is_active=True).order_by("name", "username")


def school_rooms(school):
    """The school's rooms in use, with their buildings (labels need them)."""
    return (
        Room.objects.for_school(school)
        .filter(is_active=True)
        .select_related("building")
        .order_by("building__name", "floor", "number")
    )


def room_label(room):
    return str(room)


def person_label(user):
    return user.display_name


# --- The list -----------------------------------------------------------------------------


class InspectionFilter(django_filters.FilterSet):
    """Filters of the school's inspections (general affairs, the principal)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=InspectionStatus.choices, empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=InspectionKind.choices, empty_label=_("All")
    )
    inspector = django_filters.ModelChoiceFilter(
        label=_("Inspector"), queryset=User.objects.none(), empty_label=_("All")
    )
    period_from = DateFilter(
        label=_("Period from"),
        field_name="period_end",
        lookup_expr="gte",
        widget=forms.DateInput(attrs=DATE_WIDGET),
    )
    period_to = DateFilter(
        label=_("Period until"),
        field_name="period_start",
        lookup_expr="lte",
        widget=forms.DateInput(attrs=DATE_WIDGET),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="overdue_filter",
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Inspection
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Those who have inspections of the school (one query, for the choices).
        self.filters["inspector"].queryset = (
            User.objects.filter(safety_inspections__school_id=user.school_id)
            .distinct()
            .order_by("name", "username")
        )
        self.filters["inspector"].field.label_from_instance = person_label

    def overdue_filter(self, queryset, name, value):
        overdue = inspection_overdue_q(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


# --- An inspection by hand ----------------------------------------------------------------


class InspectionCreateForm(forms.Form):
    """A special or start-of-term inspection: which checklist, who, where, when."""

    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none(), empty_label=_("- Select -")
    )
    kind = forms.ChoiceField(
        label=_("Kind of inspection"),
        choices=[("", _("As the checklist says")), *InspectionKind.choices],
        required=False,
    )
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=User.objects.none(), empty_label=_("- Select -")
    )
    area = forms.ChoiceField(
        label=_("Area"),
        choices=[("", _("All the checklist's items")), *SafetyArea.choices],
        required=False,
        help_text=_("Only the checklist's items of this area (a special inspection)."),
    )
    room = forms.ModelChoiceField(
        label=_("Room"),
        queryset=Room.objects.none(),
        required=False,
        empty_label=_("- None -"),
    )
    location = forms.CharField(
        label=pgettext_lazy("inspection", "Where"),
        max_length=200,
        required=False,
        help_text=_("E.g. teaching building, floors 1–3; or the area around the campus."),
    )
    period_start = DateField(label=_("From"), widget=date_input())
    period_end = DateField(
        label=_("Until"), widget=date_input(), help_text=_("Due at the end of this day.")
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates_in_use(school)
        self.fields["inspector"].queryset = school_people(school)
        self.fields["inspector"].label_from_instance = person_label
        self.fields["room"].queryset = school_rooms(school)
        self.fields["room"].label_from_instance = room_label


# --- Inspecting ---------------------------------------------------------------------------


class ResultForm(forms.Form):
    """The answer to one item (prefix ``item-<id>``): OK / hazard / not applicable, a note,
    a photo from the camera; a hazard's level and where it is.

    ``place`` is one box for "where": the label of one of the school's rooms (offered in
    a list as one types) is that room, anything else is a place described in words."""

    outcome = forms.ChoiceField(label=_("Result"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = ImageUploadField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove the photo"), required=False)
    hazard_level = forms.ChoiceField(
        label=_("Level"),
        choices=HazardLevel.choices,
        initial=HazardLevel.GENERAL,
        required=False,
    )
    place = forms.CharField(
        label=_("Where is it"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "school-rooms", "autocomplete": "off"}),
        help_text=_("A room (pick it from the list as you type) or a place in words."),
    )

    def __init__(self, data=None, files=None, *, result, inspection, rooms_by_label, **kwargs):
        self.result = result
        self.inspection = inspection
        self.rooms_by_label = rooms_by_label
        kwargs.setdefault("prefix", f"item-{result.item_id}")
        if data is None:
            kwargs.setdefault("initial", self._initial())
        super().__init__(data, files, **kwargs)

    def _initial(self):
        result, inspection = self.result, self.inspection
        if result.room_id:
            place = room_label(result.room)
        elif result.location:
            place = result.location
        elif inspection.room_id:
            place = room_label(inspection.room)
        else:
            place = inspection.location
        return {
            "outcome": result.outcome,
            "note": result.note,
            "hazard_level": result.hazard_level or HazardLevel.GENERAL,
            "place": place,
        }

    def clean(self):
        cleaned = super().clean()
        place = (cleaned.get("place") or "").strip()
        cleaned["room"] = self.rooms_by_label.get(place)
        cleaned["location"] = "" if cleaned["room"] is not None else place
        if not cleaned.get("hazard_level"):
            cleaned["hazard_level"] = HazardLevel.GENERAL
        return cleaned

    def value_of(self, name):
        """The field's current value (bound data or initial), for the buttons."""
        return self[name].value()

    def outcome_options(self):
        """(value, label, colour, icon, checked, id, saved on choosing) of each answer
        button: a hazard needs its level and place first, the others are saved at once."""
        current = self.value_of("outcome") or ""
        return [
            (
                outcome.value,
                outcome.label,
                outcome.color,
                OUTCOME_ICONS.get(outcome, ""),
                outcome == current,
                f"{self.auto_id % self.add_prefix('outcome')}_{outcome.value}",
                outcome != Outcome.HAZARD,
            )
            for outcome in Outcome
        ]

    def level_options(self):
        """(value, label, colour, checked, id) of each hazard level button."""
        current = self.value_of("hazard_level") or HazardLevel.GENERAL
        return [
            (
                level.value,
                level.label,
                level.color,
                level == current,
                f"{self.auto_id % self.add_prefix('hazard_level')}_{level.value}",
            )
            for level in HazardLevel
        ]


class SubmitForm(forms.Form):
    summary = forms.CharField(
        label=_("Remarks"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Anything the office should know about this inspection."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("inspection", "Why cancel"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. National Day holiday")}),
    )


# --- Set-up: checklists and schedules -----------------------------------------------------


class ChecklistTemplateForm(SchoolScopedForm):
    class Meta:
        model = ChecklistTemplate
        fields = checklists.TEMPLATE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ChecklistItemForm(forms.Form):
    """An item of a checklist: what to check, how, in which area."""

    text = forms.CharField(label=_("What to check"), max_length=200)
    guidance = forms.CharField(
        label=_("How to check"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    area = forms.ChoiceField(label=_("Area"), choices=SafetyArea.choices)

    def __init__(self, *args, template, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("prefix", f"item-{item.pk}")
            kwargs.setdefault(
                "initial", {"text": item.text, "guidance": item.guidance, "area": item.area}
            )
        else:
            kwargs.setdefault("prefix", "new")
            kwargs.setdefault("initial", {"area": template.area or SafetyArea.FIRE})
        super().__init__(*args, **kwargs)


class InspectionScheduleForm(SchoolScopedForm):
    class Meta:
        model = InspectionSchedule
        fields = checklists.SCHEDULE_FIELDS
        widgets = {
            "starts_on": date_input(),
            "ends_on": date_input(),
            "rooms": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        school = self.school
        current = self.instance.template_id if self.instance.pk else None
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(
            Q(school=school, is_active=True) | Q(pk=current)
        ).order_by("kind", "name")
        self.fields["inspector"].queryset = school_people(school)
        self.fields["inspector"].label_from_instance = person_label
        self.fields["rooms"].queryset = school_rooms(school)
        self.fields["rooms"].label_from_instance = room_label
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())
