"""Forms of the hazard pages: input and its shape; the rules are in ``safety.services``.

The report form is mobile-first (a phone camera photo is the normal case): the category
as buttons, the place as building → floor → room (or a place in words), 1–3 photos.
The step forms of a hazard's page are posted with a ``prefix`` per step.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.common import rooms as places
from logistics.common.fields import DateField, DateTimeField, MultipleImageField
from logistics.common.submissions import SubmissionKeyField
from logistics.models import Department, User
from safety.choices import AREA_ICONS, HazardLevel, HazardPhotoKind, SafetyArea

# A report's "found at" may be a little ahead of the server's clock (a phone's clock).
FOUND_AT_SKEW = datetime.timedelta(minutes=10)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def school_people(school):
    """The active people of ``school`` (choices of a responsible person)."""
    return (
        User.objects.filter(school=school, is_active=True)
        .select_related("department")
        .order_by("name", "username")
    )


def person_label(user):
    if user.department_id:
        return f"{user.display_name} · {user.department.name}"
    return user.display_name


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class HazardReportForm(places.RoomPicker, forms.Form):
    """Report a hazard (随手拍): what, how serious, where, photos, when it was found."""

    rooms_url_name = "safety_hazard_rooms"

    category = forms.ChoiceField(
        label=_("Category"), choices=SafetyArea.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=HazardLevel.choices,
        initial=HazardLevel.GENERAL,
        widget=forms.RadioSelect,
        help_text=_(
            "Major: a danger to life or of serious loss that needs a plan, funding or "
            "outside help to remove."
        ),
    )
    description = forms.CharField(
        label=_("What is the hazard"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. Bicycles block the fire exit.")}
        ),
    )
    building, floor, room = places.room_picker_fields(required=False)
    location = forms.CharField(
        label=_("Or the place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. east stairs, 2nd floor")}),
        help_text=_("Choose a room, or say where it is (a staircase, the playground …)."),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        help_text=_("One to three photos of the hazard; take them with the camera."),
    )
    found_at = DateTimeField(
        label=_("Found at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.room_picker(school)
        if not self.is_bound:
            self.initial.setdefault(
                "found_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def category_options(self):
        """(value, label, icon, checked) of each category, for the buttons of the form."""
        current = self.picked("category")
        return [
            (value, label, AREA_ICONS.get(value, "bi-exclamation-triangle"), value == current)
            for value, label in SafetyArea.choices
        ]

    def level_options(self):
        """(value, label, colour, checked) of each level, for the buttons of the form."""
        current = self.picked("level") or HazardLevel.GENERAL
        return [(level.value, level.label, level.color, level == current) for level in HazardLevel]

    def clean_found_at(self):
        found_at = self.cleaned_data["found_at"]
        if found_at > timezone.now() + FOUND_AT_SKEW:
            raise ValidationError(_("The time found cannot be in the future."))
        return found_at

    def clean(self):
        cleaned = super().clean()
        room, building = cleaned.get("room"), cleaned.get("building")
        location = (cleaned.get("location") or "").strip()
        if not self.clean_room_in_building(cleaned):
            return cleaned
        if room is None and not location and "location" not in self.errors:
            self.add_error("location", _("Say where the hazard is: a room or a place."))
        elif room is None and building is not None and location:
            # A place in a building without a room number (a staircase, a corridor).
            cleaned["location"] = f"{building.name} · {location}"[:200]
        return cleaned


# --- The steps on a hazard's page ---------------------------------------------------------


class AssignForm(forms.Form):
    """General affairs names who rectifies the hazard and by when (and may correct the
    level)."""

    responsible_person = PersonChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), empty_label=_("- Select -")
    )
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("- Select -"),
    )
    deadline = DateField(label=_("Rectify by"), widget=_date_input())
    level = forms.ChoiceField(label=_("Level"), choices=HazardLevel.choices)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, hazard, **kwargs):
        super().__init__(*args, **kwargs)
        school = hazard.school_id
        self.fields["responsible_person"].queryset = school_people(school)
        self.fields["department"].queryset = Department.objects.filter(
            school_id=school, is_active=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.update(
                responsible_person=hazard.responsible_person_id,
                department=hazard.department_id,
                deadline=hazard.deadline,
                level=hazard.level,
            )


class PlanForm(forms.Form):
    """The rectification plan of a major hazard (重大隐患整改方案)."""

    measures = forms.CharField(
        label=_("Rectification measures"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    funding = forms.DecimalField(
        label=_("Funding (yuan)"), max_digits=12, decimal_places=2, min_value=0, initial=0
    )
    responsible_person = PersonChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), empty_label=_("- Select -")
    )
    deadline = DateField(label=_("Complete by"), widget=_date_input())
    interim_measures = forms.CharField(
        label=_("Interim safety measures"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How people are kept safe until it is fixed (fencing, warning signs …)."),
    )

    def __init__(self, *args, hazard, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_person"].queryset = school_people(hazard.school_id)
        if not self.is_bound:
            if plan is not None:
                self.initial.update(
                    measures=plan.measures,
                    funding=plan.funding,
                    responsible_person=plan.responsible_person_id,
                    deadline=plan.deadline,
                    interim_measures=plan.interim_measures,
                )
            else:
                self.initial.update(
                    responsible_person=hazard.responsible_person_id, deadline=hazard.deadline
                )


class DeferForm(forms.Form):
    """An 整改安排: why it cannot be fixed now, the later deadline, what is done meanwhile."""

    reason = forms.CharField(
        label=_("Why it cannot be rectified now"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    new_deadline = DateField(label=_("New deadline"), widget=_date_input())
    interim_measures = forms.CharField(
        label=_("Interim safety measures"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SubmitForm(forms.Form):
    """The rectification, for the check. Both fields are needed: the service refuses
    either missing with its reason (shown on the field), so neither is required here."""

    note = forms.CharField(
        label=pgettext_lazy("hazard", "What was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = MultipleImageField(
        label=_("Photos of the result"),
        required=False,
        help_text=_("One to three photos of the rectified place."),
    )


class VerifyForm(forms.Form):
    """The check (复查): approve (close the hazard) or send it back with the reason."""

    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Rectified: close it")), (REJECT, _("Not rectified: send back"))],
    )
    reason = forms.CharField(
        label=_("Check remarks"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when you send it back: say what is still wrong."),
    )

    def service_kwargs(self):
        """What ``hazard_verify`` takes: approve or not, and the reason."""
        return {
            "approve": self.cleaned_data["decision"] == self.APPROVE,
            "reason": self.cleaned_data["reason"],
        }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why withdraw the report"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Reported twice; no hazard")}),
    )


class PhotoForm(forms.Form):
    """More photos: as found, or (while it is being rectified) of the rectification."""

    photos = MultipleImageField(label=_("Photos"))
    kind = forms.ChoiceField(label=_("The photos show"), choices=HazardPhotoKind.choices)

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = list(kinds or HazardPhotoKind.values)
        self.fields["kind"].choices = [
            (value, label) for value, label in HazardPhotoKind.choices if value in kinds
        ]
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = kinds[0]
