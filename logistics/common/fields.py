"""Form fields for every form and filter of the portal.

Dates a school can mean (``DateField``, ``DateTimeField``, ``DateFilter``), lists of ids
that never reach the database out of range (``ModelMultipleChoiceField``), and photos
from a phone's camera (``MultipleImageField``).

Python's dates run from year 1 to 9999, and a page that adds a day to 9999-12-31 or
turns 0001-01-01 00:00 in Beijing into UTC fails with ``OverflowError`` — a 500 from an
address anyone can type (``?start=9999-12-31``). A school's records lie between 1900 and
2199; a date outside is refused as a form error, so every later computation (the day
after the end of a period, the week of a date, the change to UTC) stays in range.

Forms use ``DateField``/``DateTimeField`` from here, filters ``DateFilter``, model forms
``bounded_formfield`` (``SchoolScopedForm`` does); ``tests/framework/test_dates.py`` fails when a
form or filter of the project uses Django's own date fields.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from logistics.common.dates import validate_plausible_date
from logistics.common.ids import as_id
from logistics.common.uploads import ImageUploadField


class DateField(forms.DateField):
    default_validators = [validate_plausible_date]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_plausible_date]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # out of range once the time zone is applied
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a value that cannot be an id is "not one of the choices" instead of
    reaching the database (SQLite cannot bind 99999999999999999999: ``OverflowError``)."""

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        if key == "pk":
            for pk in value if isinstance(value, list | tuple | set) else ():
                if as_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class DateFilter(django_filters.DateFilter):
    field_class = DateField


def bounded_formfield(db_field, **kwargs):
    """A model form's field, with the fields above for the model's dates and lists."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return db_field.formfield(**kwargs)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(ImageUploadField):
    """Up to ``limit`` pictures (from the camera or the gallery), each cleaned."""

    widget = MultipleImageInput(attrs={"accept": "image/*", "multiple": True})

    def __init__(self, *args, limit=3, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        uploads = [u for u in uploads if u]
        if len(uploads) > self.limit:
            raise ValidationError(
                _("At most %(count)s photos."), code="too_many", params={"count": self.limit}
            )
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
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
