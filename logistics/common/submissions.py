"""One record per form: the one-time key a creating form carries.

Every form that creates a record carries a random key (``submission_key``, a hidden
field made when the form is shown: ``SubmissionKeyField``). The key is stored with the
record (``OnceSubmitted`` adds the column, unique), so the same form sent twice — a
double tap, a resend after a lost answer, two copies in flight at once — makes one
record, while two different forms never merge, whatever they say. It needs no session
and no lock: the database's unique constraint decides (``create_once``).

The generic form view (``logistics.common.views.ScopedFormView``) gives its form the
field when it creates a record of a model with the column, and hands the key to the
service; the pages with forms of their own add the field themselves.
"""

import uuid

from django import forms
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from logistics.common.workflow import model_update

FIELD = "submission_key"


class OnceSubmitted(models.Model):
    """A record made by a form: the form's one-time key is stored with it."""

    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        abstract = True


class SubmissionKeyField(forms.UUIDField):
    """The hidden one-time key: a new one each time the form is shown; the same one when
    a form with errors is shown again. A client that leaves it out gets a new key (and
    so no guard against sending twice)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("initial", uuid.uuid4)
        super().__init__(**kwargs)

    def clean(self, value):
        return super().clean(value) or uuid.uuid4()


def with_submission_key(form):
    """``form`` with the hidden one-time key (for a form that creates a record)."""
    form.fields[FIELD] = SubmissionKeyField()
    return form


def create_once(existing, submission_key, create):
    """``(create(), True)``, or ``(record, False)`` when ``existing`` (the author's rows)
    already holds the record made with ``submission_key``.

    ``create`` runs in a transaction of its own (a savepoint inside another); when the
    same key is inserted at the same moment by another request, the unique constraint
    refuses the second insert, ``create``'s work is rolled back (the caller deletes its
    stored files on the exception) and the first request's record is returned."""
    if submission_key is None:
        return create(), True
    if (record := existing.filter(submission_key=submission_key).first()) is not None:
        return record, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        record = existing.filter(submission_key=submission_key).first()
        if record is None:
            raise
        return record, False


def save_once(instance, *, data, fields, existing, submission_key=None):
    """Save a set-up record with ``model_update``: a new one once per ``submission_key``
    (the record the same form already made, if any, is returned unchanged), an existing
    one as usual. ``existing``: where the author's records are (their school's)."""
    if instance.pk is not None or submission_key is None:
        return model_update(instance, data=data, fields=fields)
    instance.submission_key = submission_key
    record, _created = create_once(
        existing,
        submission_key,
        # The key is the database's to check (``create_once``), not the validation's.
        lambda: model_update(instance, data=data, fields=fields, exclude=[FIELD]),
    )
    return record


def school_record_save(model, fields):
    """The service that saves a record of ``model`` belonging to a school (a campus, a
    repair category …): ``save(*, school, instance=None, submission_key=None, **data)``
    creates one (once per ``submission_key``) or changes ``instance``; ``data`` may set
    ``fields`` (``model_update``). Services with rules of their own check them first."""

    def save(*, school, instance=None, submission_key=None, **data):
        return save_once(
            instance or model(school=school),
            data=data,
            fields=fields,
            existing=model.objects.for_school(school),
            submission_key=submission_key,
        )

    save.__doc__ = f"Create or change a {model._meta.verbose_name} of ``school``."
    return save
