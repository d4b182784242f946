"""Files of the safety app: photos (through the core's ``image_store``) and the scanned
copies of responsibility agreements, which may also be PDFs.

Everything is stored under ``safety/<what>/<yyyy>/<mm>/<dd>/<uuid>.<ext>``; the folder
after ``safety/`` says which table names the file, so the media check
(``safety.selectors.media_readable``) looks in one place.
"""

import contextlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.uploads import CleanImage, image_clean, image_store, pdf_check_content

MEDIA_PREFIX = "safety"
HAZARD_PHOTOS = f"{MEDIA_PREFIX}/hazards"
INSPECTION_PHOTOS = f"{MEDIA_PREFIX}/inspections"
DRILL_PHOTOS = f"{MEDIA_PREFIX}/drills"
AGREEMENT_SCANS = f"{MEDIA_PREFIX}/agreements"

PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
# A scanned agreement of a few pages; the limit can be set like the pictures'.
PDF_MAX_BYTES_DEFAULT = 10 * 1024 * 1024


def pdf_max_bytes():
    return getattr(settings, "UPLOAD_PDF_MAX_BYTES", PDF_MAX_BYTES_DEFAULT)


@dataclass(frozen=True)
class CleanPdf:
    """A PDF that starts with ``%PDF-``, ends with ``%%EOF``, is within the limit and
    carries no active content (``logistics.common.uploads.pdf_check_content``)."""

    content: bytes
    format: str = "PDF"
    extension: str = "pdf"
    content_type: str = "application/pdf"


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    content_type: str
    width: int | None = None
    height: int | None = None


def _read(upload):
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def pdf_clean(upload) -> CleanPdf:
    """Check that ``upload`` is a PDF (by its bytes, not its name) within the size limit,
    with no scripts, embedded files, launch or submit actions, rich media or XFA forms."""
    size = getattr(upload, "size", None)
    limit = pdf_max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); at most %(limit)s is accepted."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    data = _read(upload)
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if len(data) > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); at most %(limit)s is accepted."),
            code="too_large",
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(limit)},
        )
    if not data.startswith(PDF_MAGIC) or PDF_EOF not in data[-2048:]:
        raise ValidationError(_("This file is not a complete PDF document."), code="not_a_pdf")
    pdf_check_content(data)
    return CleanPdf(content=data)


def scan_clean(upload):
    """A scanned agreement: a PDF (``CleanPdf``) or a picture (``CleanImage``, re-encoded).

    Raises ``ValidationError`` for anything else."""
    if isinstance(upload, CleanImage | CleanPdf):
        return upload
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        return pdf_clean(upload)
    try:
        return image_clean(upload)
    except ValidationError as exc:
        if exc.code == "not_an_image":
            raise ValidationError(
                _("Upload the scanned copy as a PDF or a picture (JPEG, PNG …)."),
                code="not_a_scan",
            ) from exc
        raise


def photo_store(photo, folder) -> StoredFile:
    """Store a picture (an upload or a ``CleanImage``) under ``folder``."""
    stored = image_store(photo, prefix=folder)
    return StoredFile(
        name=stored.name,
        size=stored.size,
        content_type=stored.content_type,
        width=stored.width,
        height=stored.height,
    )


def scan_store(scan) -> StoredFile:
    """Store a scanned agreement (an upload, a ``CleanImage`` or a ``CleanPdf``)."""
    clean = scan_clean(scan)
    if isinstance(clean, CleanImage):
        return photo_store(clean, AGREEMENT_SCANS)
    day = timezone.localdate()
    name = f"{AGREEMENT_SCANS}/{day:%Y/%m/%d}/{uuid.uuid4().hex}.pdf"
    name = default_storage.save(name, ContentFile(clean.content))
    return StoredFile(name=name, size=len(clean.content), content_type=clean.content_type)


def files_delete(names):
    for name in names:
        if name:
            with contextlib.suppress(OSError):
                default_storage.delete(name)


def files_delete_on_commit(names):
    """Delete files (replaced drafts) once the transaction that dropped them commits."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: files_delete(names))


class StoredFiles:
    """Files stored inside a block that is rolled back are deleted again::

    with StoredFiles() as files:
        with transaction.atomic():
            files.add(photo_store(photo, HAZARD_PHOTOS))
            ...
    """

    def __init__(self):
        self.names = []

    def add(self, stored):
        self.names.append(stored.name)
        return stored

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            files_delete(self.names)
        return False
