"""Printed documents: asking for one, making it (in Celery), retrying a failed one.

Every document is made by the Celery task ``logistics.tasks.document_render``, never in
the web request that asks for it (with no broker, the embedded default, the task runs
in-process when the request's transaction commits). Its page follows the progress and
offers the download when it is ready. So a document that grows with the data (the
semester summary, a building's QR sticker sheet, the monthly hazard report) cannot hold
a web worker past gunicorn's timeout: its own limit is ``DOCUMENT_RENDER_TIMEOUT``,
inside the task's time limit (``logistics.checks`` holds both rules).

What a document is of: its kind, school, period, the kind's own choices (``params``,
checked and normalised by the kind's ``clean_params``) and its language. A request while
the same document is queued or being made joins that one instead of starting another (a
partial unique constraint holds it, a lock on the school makes the check and the insert
one step). Otherwise a new version is made, unless the kind declares a ``fingerprint``
of the records it shows and the newest ready version was made from records with the same
fingerprint: that version is the answer (nothing has changed, nothing is made again). A
room renamed or added changes the stickers' fingerprint, so the next request makes a
fresh sheet; the run records the fingerprint it computed *before* reading the records,
so a change made while it runs shows as a difference at the next request, never the
other way round. A request that joins a run already under way gets what that run read.

The Celery task claims a queued document atomically (queued → running), so a task
delivered twice makes it once. The PDF is written under a name fixed by the document
(kind, period, version, and its id when it has choices or another language): a retry
of a run that crashed after writing replaces the file, it never leaves a second one.
Every change of status is recorded (who, when, from, to). The tick re-enqueues a
document left queued (the broker was down) and fails one whose run stopped without a
word (a killed worker), so that it can be retried.
"""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.common.permissions import permitted
from logistics.common.queue import enqueue_on_commit
from logistics.common.registry import registry
from logistics.common.workflow import (
    PERMISSION,
    STATUS,
    Refusal,
    Workflow,
    status_record,
    transition,
)
from logistics.documents.models import Document, DocumentStatus
from logistics.models import School

# How a document moves: queued → running (a run claims it) → done, or failed; a failed
# one, or a run that stopped without a word, is queued again (a retry).
document_moves = Workflow(
    Document,
    moves={
        DocumentStatus.QUEUED: [DocumentStatus.RUNNING],
        DocumentStatus.RUNNING: [DocumentStatus.DONE, DocumentStatus.FAILED, DocumentStatus.QUEUED],
        DocumentStatus.FAILED: [DocumentStatus.QUEUED],
    },
)

logger = logging.getLogger(__name__)

# A queued document still queued after this long is enqueued again by the tick.
REQUEUE_AFTER = datetime.timedelta(minutes=2)
# Seconds a run may spend besides the PDF itself (reading the records, drawing the QR
# codes of a large building, writing the file).
RUN_ALLOWANCE = 60


def pdf_time_limit():
    """Seconds the PDF of a document may take to render (in the task)."""
    return getattr(settings, "DOCUMENT_RENDER_TIMEOUT", 300)


def render_time_limit():
    """Seconds a run may take: the PDF's own limit and the work around it. The task's
    soft time limit is above it (``logistics.checks``)."""
    return pdf_time_limit() + RUN_ALLOWANCE


def task_time_limit():
    """Seconds after which the task's process is killed (Celery's hard limit)."""
    from logistics.tasks import document_render as task

    return task.time_limit or render_time_limit()


def kind_of(document_or_key):
    key = getattr(document_or_key, "kind", document_or_key)
    try:
        return registry.document_kinds[key]
    except KeyError:
        raise ValidationError(_("Unknown kind of document: %(kind)s") % {"kind": key}) from None


def may_make(user, kind):
    return bool(user.school_id) and permitted(user, kind.make)


def may_read(user, kind):
    return permitted(user, kind.read)


def document_language(language=None):
    """A language of the portal (``settings.LANGUAGES``): ``language`` if it is one, else
    the portal's own."""
    if language:
        try:
            return translation.get_supported_language_variant(language)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def clean_params(kind, school, params):
    """The kind's choices, checked and normalised (``ValidationError`` if refused)."""
    params = dict(params or {})
    if kind.clean_params is not None:
        return kind.clean_params(school, params)
    if params:
        raise ValidationError(_("This kind of document takes no choices."))
    return {}


def same_document(document):
    """The versions of what ``document`` is of (its kind, school, period, choices and
    language), itself included."""
    return Document.objects.filter(
        kind=document.kind,
        school_id=document.school_id,
        period_start=document.period_start,
        period_end=document.period_end,
        params=document.params,
        language=document.language,
    )


def _file_present(document):
    return bool(document.file) and default_storage.exists(document.file.name)


def document_request(
    *, kind, school, start, end, semester=None, actor=None, params=None, language=None
):
    """Ask for a document; returns ``(document, created)``. While the same one is queued
    or being made, that one is returned (``created`` False); so is the newest ready one
    when the kind's fingerprint of the records has not changed since it was made.
    ``params`` are the kind's own choices, ``language`` one of ``settings.LANGUAGES``
    (default: the portal's)."""
    kind = kind_of(kind)
    if actor is not None and not may_make(actor, kind):
        raise Refusal(_("You cannot make this document."), PERMISSION)
    if end < start:
        raise ValidationError(_("The end date must be after the start date."))
    params = clean_params(kind, school, params)
    language = document_language(language)
    fingerprint = kind.fingerprint(school, params) if kind.fingerprint else ""
    with transaction.atomic():
        School.objects.select_for_update().only("pk").get(pk=school.pk)
        probe = Document(
            kind=kind.key,
            school=school,
            period_start=start,
            period_end=end,
            params=params,
            language=language,
        )
        same = same_document(probe)
        running = same.filter(status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING]).first()
        if running is not None:
            if not _stopped(running, timezone.now()):
                return running, False
            _fail_stopped(running)
        if fingerprint:
            newest = same.filter(status=DocumentStatus.DONE).order_by("-version").first()
            if newest is not None and newest.fingerprint == fingerprint and _file_present(newest):
                return newest, False
        version = (same.aggregate(v=Max("version"))["v"] or 0) + 1
        document = Document.objects.create(
            kind=kind.key,
            school=school,
            semester=semester,
            period_start=start,
            period_end=end,
            params=params,
            language=language,
            version=version,
            requested_by=actor,
            stage=_("Waiting for a worker"),
        )
        status_record(document, from_status="", to_status=DocumentStatus.QUEUED, actor=actor)
        _enqueue(document)
    return document, True


def document_retry(*, document, actor=None):
    """Make a failed document again (same version; its file, if any, is replaced). A
    document queued or being made is returned as it is."""
    kind = kind_of(document)
    if actor is not None and not may_make(actor, kind):
        raise Refusal(_("You cannot make this document."), PERMISSION)
    with transaction.atomic():
        School.objects.select_for_update().only("pk").get(pk=document.school_id)
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == DocumentStatus.DONE:
            raise Refusal(_("This document is ready; ask for a new version instead."), STATUS)
        if document.in_progress and not _stopped(document, timezone.now()):
            return document
        other = (
            same_document(document)
            .filter(status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING])
            .exclude(pk=document.pk)
            .first()
        )
        if other is not None:
            return other  # someone asked again meanwhile: join that run
        transition(
            document,
            DocumentStatus.QUEUED,
            actor=actor,
            note=_("Retry"),
            fields={
                "progress": 0,
                "stage": _("Waiting for a worker"),
                "error": "",
                "started_at": None,
                "finished_at": None,
            },
        )
        _enqueue(document)
    return document


def _enqueue(document):
    from logistics.tasks import document_render as task

    enqueue_on_commit(task, document.pk)


def _stopped(document, now):
    """A run that can no longer be going on: running past the task's hard time limit
    (when Celery kills the process), with a minute to spare."""
    if document.status != DocumentStatus.RUNNING or document.started_at is None:
        return False
    limit = max(task_time_limit(), render_time_limit()) + 60
    return document.started_at < now - datetime.timedelta(seconds=limit)


def _fail_stopped(document):
    message = _("The run stopped without finishing (time limit or a stopped worker).")
    transition(
        document,
        DocumentStatus.FAILED,
        actor=None,
        note=message,
        fields={"error": message, "finished_at": timezone.now()},
    )


def document_progress(document_id, percent, stage):
    """Shown on the document's page while it is made (outside the run's transaction)."""
    Document.objects.filter(pk=document_id, status=DocumentStatus.RUNNING).update(
        progress=max(0, min(100, int(percent))), stage=str(stage)[:100]
    )


def _claim(document_id):
    with transaction.atomic():
        document = (
            Document.objects.select_for_update().select_related("school").filter(pk=document_id)
        ).first()
        if document is None or document.status != DocumentStatus.QUEUED:
            return None  # made, failed, or being made by another delivery of the task
        transition(
            document,
            DocumentStatus.RUNNING,
            actor=None,
            fields={
                "started_at": timezone.now(),
                "attempts": document.attempts + 1,
                "progress": 5,
                "stage": _("Reading the records"),
            },
        )
        return document


def file_name(document):
    """Where the document's PDF is stored: fixed by the document, so that a retry
    replaces it. A document with choices or in another language than the portal's
    carries its id too (two buildings' sheets of a day are both version 1)."""
    kind = document.kind.replace("_", "-")
    extra = ""
    if document.params or document.language != settings.LANGUAGE_CODE:
        extra = f"-{document.pk}"
    return (
        f"documents/{document.school_id}/{kind}-{document.period_start:%Y%m%d}-"
        f"{document.period_end:%Y%m%d}-v{document.version}{extra}.pdf"
    )


def document_render(document_id):
    """Make a queued document (the Celery task's work). Returns the document, or None
    when there was nothing to do (not queued: made, failed or taken by another run)."""
    from logistics.documents.pdf import render_pdf

    document = _claim(document_id)
    if document is None:
        return None
    kind = kind_of(document)
    report = partial(document_progress, document.pk)
    name = file_name(document)
    attempt = document.attempts
    fingerprint = ""
    try:
        with translation.override(document_language(document.language)):
            if kind.fingerprint:
                # Before the records are read: a change made meanwhile shows as a
                # difference at the next request (see the module's documentation).
                fingerprint = kind.fingerprint(document.school, document.params)
            context = kind.context(document, progress=report)

            def stage(step, pages):
                if step == "layout":
                    report(60, _("Laying out the pages"))
                else:
                    report(85, _("Writing %(pages)s pages") % {"pages": pages})
                    stage.pages = pages

            stage.pages = None
            report(40, _("Composing the document"))
            content = render_pdf(kind.template, context, timeout=pdf_time_limit(), progress=stage)
        # One file per document: a retry replaces what an earlier run left.
        if default_storage.exists(name):
            default_storage.delete(name)
        saved = default_storage.save(name, ContentFile(content))
    except Exception as exc:
        if isinstance(exc, ValidationError):  # the records no longer allow it: say why
            logger.warning("document %s refused: %s", document.pk, exc.messages)
            message = " ".join(exc.messages)
        else:
            logger.exception("document %s failed", document.pk)
            message = str(exc)
        with transaction.atomic():
            document = Document.objects.select_for_update().get(pk=document.pk)
            if document.status == DocumentStatus.RUNNING and document.attempts == attempt:
                transition(
                    document,
                    DocumentStatus.FAILED,
                    actor=None,
                    note=message[:500],
                    fields={
                        "error": message[:2000] or exc.__class__.__name__,
                        "finished_at": timezone.now(),
                    },
                )
        return document
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.RUNNING or document.attempts != attempt:
            # The tick gave this run up (it outlived the time limit) and it may have been
            # retried since: the newer state stands.
            logger.warning("document %s finished after it was given up", document.pk)
            return document
        transition(
            document,
            DocumentStatus.DONE,
            actor=None,
            fields={
                "file": saved,
                "fingerprint": fingerprint,
                "size": len(content),
                "pages": stage.pages,
                "progress": 100,
                "stage": _("Ready"),
                "finished_at": timezone.now(),
            },
        )
    return document


def documents_resume(now):
    """Tick job: enqueue again what stayed queued (the broker was down when it was asked
    for) and fail what stopped running without a word, so it can be retried."""
    stale = now - REQUEUE_AFTER
    for pk in Document.objects.filter(
        status=DocumentStatus.QUEUED, requested_at__lt=stale
    ).values_list("pk", flat=True)[:50]:
        with transaction.atomic():
            _enqueue(Document(pk=pk))
    for document in Document.objects.filter(status=DocumentStatus.RUNNING):
        if _stopped(document, now):
            with transaction.atomic():
                locked = Document.objects.select_for_update().get(pk=document.pk)
                if _stopped(locked, now):
                    _fail_stopped(locked)
