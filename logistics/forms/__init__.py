"""Forms of the portal: input and its shape only; the rules are in services."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from logistics.choices import Trade
from logistics.common.fields import bounded_formfield
from logistics.common.spreadsheets import XLSX_CONTENT_TYPE
from logistics.common.submissions import SubmissionKeyField
from logistics.models import Building, Campus, Department, Room, School, Semester
from logistics.roles import SCHOOL_ROLES
from logistics.services import organisation


class SchoolScopedForm(forms.ModelForm):
    """A model form whose foreign-key choices are limited to the user's school (and
    whose dates are ones a school can mean: ``logistics.common.fields``)."""

    scoped_fields: dict[str, type] = {}

    def __init_subclass__(cls, **kwargs):
        # Runs before the model form's fields are made from its Meta.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = bounded_formfield
        super().__init_subclass__(**kwargs)

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        has_school = any(f.name == "school" for f in self._meta.model._meta.fields)
        if not self.instance.pk and has_school and school is not None:
            self.instance.school = school
        for name, model in self.scoped_fields.items():
            if name in self.fields:
                self.fields[name].queryset = model.objects.for_school(school).filter(
                    is_active=True
                ) | model.objects.filter(pk=getattr(self.instance, f"{name}_id", None))


class CampusForm(SchoolScopedForm):
    class Meta:
        model = Campus
        fields = organisation.CAMPUS_FIELDS


class BuildingForm(SchoolScopedForm):
    scoped_fields = {"campus": Campus}

    class Meta:
        model = Building
        fields = organisation.BUILDING_FIELDS


class RoomForm(SchoolScopedForm):
    scoped_fields = {"building": Building}

    class Meta:
        model = Room
        fields = organisation.ROOM_FIELDS


class DepartmentForm(SchoolScopedForm):
    class Meta:
        model = Department
        fields = organisation.DEPARTMENT_FIELDS


class SemesterForm(SchoolScopedForm):
    class Meta:
        model = Semester
        fields = organisation.SEMESTER_FIELDS
        # A date input only accepts ISO dates, whatever the interface language.
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class SchoolSettingsForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounded_formfield
        model = School
        fields = [
            "name",
            "address",
            "phone",
            "email_notifications",
            "semester_reminder_days",
            "webhook_kind",
            "webhook_url",
            "webhook_secret",
        ]
        widgets = {"webhook_secret": forms.PasswordInput(render_value=True)}


class PersonForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    name = forms.CharField(label=_("Full name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=[(r.value, r.label) for r in SCHOOL_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    trades = forms.MultipleChoiceField(
        label=_("Trades"),
        choices=Trade.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For technicians only."),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput,
        help_text=_("Leave empty to generate one. It must be changed at first login."),
    )

    def __init__(self, *args, school=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.for_school(school).filter(
            is_active=True
        )
        if editing:
            del self.fields["password"]
            self.fields["username"].disabled = True


class ImportForm(forms.Form):
    """An xlsx to import. ``submission_key`` is new each time the form is shown, so the
    same form sent twice (a double tap) makes one import job."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )
    submission_key = SubmissionKeyField()


class PeopleImportForm(ImportForm):
    password = forms.CharField(
        label=_("Initial password for new accounts"),
        widget=forms.PasswordInput,
        help_text=_("Everyone imported must change it at first login."),
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class RoomsImportForm(ImportForm):
    pass
