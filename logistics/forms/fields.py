"""Date fields for every form and filter of the portal: dates a school can mean.

Python's dates run from year 1 to 9999, and a page that adds a day to 9999-12-31 or
turns 0001-01-01 00:00 in Beijing into UTC fails with ``OverflowError`` — a 500 from an
address anyone can type (``?start=9999-12-31``). A school's records lie between 1900 and
2199; a date outside is refused as a form error, so every later computation (the day
after the end of a period, the week of a date, the change to UTC) stays in range.

Forms use ``DateField``/``DateTimeField`` from here, filters ``DateFilter``, model forms
``bounded_formfield`` (``SchoolScopedForm`` does); ``tests/test_dates.py`` fails when a
form or filter of the project uses Django's own date fields.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from logistics.dates import validate_plausible_date


class DateField(forms.DateField):
    default_validators = [validate_plausible_date]


class DateTimeField(forms.DateTimeField):
    default_validators = [validate_plausible_date]

    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:  # out of range once the time zone is applied
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DateFilter(django_filters.DateFilter):
    field_class = DateField


def bounded_formfield(db_field, **kwargs):
    """A model form's field, with the date fields above for the model's dates."""
    if isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("form_class", DateTimeField)
    elif isinstance(db_field, models.DateField):
        kwargs.setdefault("form_class", DateField)
    return db_field.formfield(**kwargs)
