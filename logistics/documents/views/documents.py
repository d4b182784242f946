"""The page of a printed document, whatever its kind (``registry.document_kinds``): its
status and progress (polled while it is made), a retry when it failed, the download
when it is ready.

Every document is read through ``Document.objects.for_user`` (another school's is a
404) and then the kind's own permissions (``may_read``; a retry: ``may_make``). The
pages that ask for documents (the semester summary, the QR stickers, the monthly hazard
report) send the user here, and list their kind's versions with ``documents_page``.
"""

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from logistics.documents.models import Document, DocumentStatus
from logistics.documents.pdf import pdf_response
from logistics.documents.selectors import SUMMARY_KIND
from logistics.documents.services.documents import (
    document_language,
    document_retry,
    kind_of,
    may_make,
    may_read,
)
from logistics.selectors import status_history

DOCUMENTS_PER_PAGE = 20


def documents_page(documents, page_number, per_page=DOCUMENTS_PER_PAGE, *, count=None):
    """A page of ``documents`` (a queryset) and its rows; ``count``: their number when
    it is already known (read with something else), so it is not counted again."""
    if count == 0:
        # (not ``documents.none()``: the ORM would still build and compile the query)
        documents = []
    paginator = Paginator(documents, per_page)
    if count is not None:
        paginator.count = count  # the cached property, set
    page = paginator.get_page(page_number)
    return page, list(page.object_list)


def _document(request, pk):
    """The document ``pk`` if the user may read it: another school's document is a 404,
    a kind the user may not read a 403."""
    document = get_object_or_404(
        Document.objects.for_user(request.user).select_related(
            "school", "semester", "requested_by"
        ),
        pk=pk,
    )
    try:
        kind = kind_of(document)
    except ValidationError:
        raise Http404 from None
    if not may_read(request.user, kind):
        raise PermissionDenied
    return document, kind


def _document_context(request, document, kind):
    can_make = may_make(request.user, kind)
    return {
        "title": kind.title,
        "document": document,
        "kind": kind,
        "description": kind.describe(document) if kind.describe else "",
        "can_retry": document.status == DocumentStatus.FAILED and can_make,
        "is_summary": document.kind == SUMMARY_KIND,
        # The page the kind is asked for from: a link for those who may ask there.
        "index_url": kind.index_url if can_make else "",
    }


@login_required
def document_page(request, pk):
    document, kind = _document(request, pk)
    context = _document_context(request, document, kind)
    context["history"] = status_history(document)
    return render(request, "documents/document_status.html", context)


@login_required
def document_status(request, pk):
    """htmx: the status block, polled every second while the document is being made."""
    document, kind = _document(request, pk)
    return render(
        request,
        "documents/document_status.html#status",
        _document_context(request, document, kind),
    )


@login_required
@require_POST
def document_retry_view(request, pk):
    document, kind = _document(request, pk)
    if not may_make(request.user, kind):
        raise PermissionDenied
    try:
        document = document_retry(document=document, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("summary_document", document.pk)


@login_required
def document_download(request, pk):
    document, kind = _document(request, pk)
    if document.status != DocumentStatus.DONE or not document.file:
        raise Http404
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    stored = posixpath.basename(document.file.name)
    # Named in the document's own language, as it is printed.
    with translation.override(document_language(document.language)):
        name = kind.filename(document) if kind.filename else stored
        ascii_name = kind.ascii_filename(document) if kind.ascii_filename else stored
    return pdf_response(content, name, ascii_filename=ascii_name)
