"""Forms of the repair pages: input and its shape; the rules are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from logistics.choices import Trade
from logistics.common import rooms as places
from logistics.common.fields import MultipleImageField
from logistics.common.submissions import SubmissionKeyField
from logistics.common.uploads import ImageUploadField
from logistics.forms import SchoolScopedForm
from logistics.models import Building, User
from logistics.repairs.choices import TRADE_ICONS, DamageCause, Urgency
from logistics.repairs.models import DispatchRule, Material, RepairCategory
from logistics.repairs.selectors import tickets as selectors
from logistics.repairs.services import tickets as services


class TicketFileForm(places.RoomPicker, forms.Form):
    """The filing form: building → floor → room (or the room of a QR code), what kind of
    repair, what is wrong, how urgent, photos and a phone number to call back."""

    rooms_url_name = "ticket_rooms"

    building, floor, room = places.room_picker_fields()
    trade = forms.ChoiceField(
        label=_("Kind of repair"), choices=Trade.choices, widget=forms.RadioSelect
    )
    category = forms.ModelChoiceField(
        label=_("What exactly"),
        queryset=RepairCategory.objects.none(),
        required=False,
        empty_label=_("- Select -"),
    )
    description = forms.CharField(
        label=_("What is wrong"),
        max_length=2000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("e.g. The tap in the washroom keeps dripping.")}
        ),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("Urgent: a danger or something that stops teaching (water, power, doors)."),
    )
    photos = MultipleImageField(
        label=_("Photos"),
        help_text=_("One to three photos of the problem; take them with the camera."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    submission_key = SubmissionKeyField()

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.room_picker(school)
        trade = self._trade()
        self.fields["category"].queryset = (
            selectors.categories(school, trade) if trade else RepairCategory.objects.none()
        )
        self.fields["category"].label_from_instance = lambda c: c.name

    def trade_options(self):
        """(value, label, icon, checked) of each trade, for the buttons of the form."""
        current = self._trade()
        return [
            (value, label, TRADE_ICONS.get(value, "bi-tools"), value == current)
            for value, label in Trade.choices
        ]

    def urgency_options(self):
        """(value, label, colour, checked) of each urgency, for the buttons of the form."""
        current = self.data.get("urgency") if self.is_bound else self.initial.get("urgency")
        current = current or Urgency.NORMAL
        return [(u.value, u.label, u.color, u == current) for u in Urgency]

    def _trade(self):
        value = self.picked("trade")
        return value if value in Trade.values else None

    def clean(self):
        cleaned = super().clean()
        self.clean_room_in_building(cleaned)
        return cleaned


class AssignForm(forms.Form):
    technician = forms.ModelChoiceField(
        label=_("Technician"), queryset=User.objects.none(), empty_label=_("- Select -")
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, school, trade=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = selectors.technicians(school)
        self.fields["technician"].queryset = people
        self.fields["technician"].label_from_instance = lambda u: (
            _("%(name)s (%(count)s open)") % {"name": u.display_name, "count": u.open_tickets}
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class HoldForm(ReasonForm):
    reason = forms.CharField(
        label=_("On hold because"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Waiting for parts")}),
    )


class ReopenForm(ReasonForm):
    reason = forms.CharField(
        label=_("What is still wrong"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(ReasonForm):
    reason = forms.CharField(label=_("Why cancel"), max_length=500)


class MaterialUseForm(forms.Form):
    """A material used: pick it from the catalogue, or type it in."""

    material = forms.ModelChoiceField(
        label=_("From the catalogue"),
        queryset=Material.objects.none(),
        required=False,
        empty_label=_("- Other (type it in) -"),
    )
    name = forms.CharField(label=_("Item"), max_length=100, required=False)
    spec = forms.CharField(label=_("Specification"), max_length=100, required=False)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=10, decimal_places=2, min_value=0.01
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    unit_cost = forms.DecimalField(
        label=_("Unit cost (yuan)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the catalogue's price."),
    )
    submission_key = SubmissionKeyField()  # a double tap records the material once

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = selectors.catalogue(school)
        self.fields["material"].label_from_instance = lambda m: f"{m} · {m.unit_cost}/{m.unit}"


class CompleteForm(forms.Form):
    cause = forms.ChoiceField(
        label=_("Cause"), choices=DamageCause.choices, widget=forms.RadioSelect
    )
    work_notes = forms.CharField(
        label=pgettext_lazy("repair", "What was done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = ImageUploadField(label=_("Photo of the finished work"))


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[(i, "★" * i) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Set-up -------------------------------------------------------------------------------


class RepairCategoryForm(SchoolScopedForm):
    class Meta:
        model = RepairCategory
        fields = services.CATEGORY_FIELDS


class DispatchRuleForm(SchoolScopedForm):
    scoped_fields = {"building": Building}

    class Meta:
        model = DispatchRule
        fields = services.RULE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = selectors.technicians(self.school)
        self.fields["technician"].label_from_instance = lambda u: u.display_name


class MaterialForm(SchoolScopedForm):
    class Meta:
        model = Material
        fields = services.MATERIAL_FIELDS
