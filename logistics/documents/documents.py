"""The semester work summary as a printed document (made in the background like every
kind; ``logistics.documents.services.documents``)."""

from django.utils.translation import gettext_lazy as _

from logistics.common.registry import DocumentKind
from logistics.documents.selectors import SUMMARY_KIND, summary_title
from logistics.documents.services.summary import summary_context


def _filename(document):
    return f"{summary_title(document.semester)}.pdf"


document_kinds = [
    DocumentKind(
        key=SUMMARY_KIND,
        title=_("Semester work summary"),
        template="documents/document.html",
        context=summary_context,
        read=("logistics.view_document",),
        make=("logistics.add_document",),
        filename=_filename,
    ),
]
