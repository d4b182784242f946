"""Uploaded pictures: checked, cleaned, stored under names we make, read after a permission
check.

A picture is accepted only if Pillow decodes it (not by its name or content type), within
``UPLOAD_IMAGE_MAX_BYTES`` and ``UPLOAD_IMAGE_MAX_PIXELS``. It is then written anew: turned
upright by its EXIF orientation (phone photos), scaled down to ``UPLOAD_IMAGE_MAX_SIDE``,
saved as JPEG (or PNG when it has transparency) without EXIF, GPS or other metadata, under
``<prefix>/<yyyy>/<mm>/<dd>/<uuid>.<ext>`` in the default storage (``MEDIA_ROOT``). The
client's file name is never used.

Media files are not public: ``logistics.views.media.protected_media`` serves
``/media/<name>`` only to a signed-in user whom the app that registered the name's folder
allows (``registry.media``). How an app uses this (the repair photos, for instance)::

    # forms.py
    photo = ImageUploadField(label=_("Photo"), required=False)   # cleaned: a CleanImage

    # models.py: the name (and size) of what was stored; no upload_to, the service names it
    file = models.FileField(_("file"), max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))

    # services.py
    stored = image_store(form.cleaned_data["photo"], prefix="repairs")
    TicketPhoto.objects.create(ticket=ticket, file=stored.name, width=stored.width, ...)

    # media.py (the app's conventional module): who may read files under repairs/
    media = {"repairs": photo_readable}   # photo_readable(user, name) -> bool

and ``{% url 'protected_media' photo.file.name %}`` (or ``photo.file.url``) in templates.
"""

import contextlib
import io
import re
import uuid
import zlib
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# The only decoders Pillow may use on an upload ("JPEG" also opens MPO, the JPEG of many
# phone cameras).
# Everything else, including formats that call out to other programs, is not an image here.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
JPEG_QUALITY = 85
# A folder prefix apps store under, and one path segment of a stored name (no leading dot,
# so never "." or ".."; nothing that needs quoting).
PREFIX_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*")
NAME_SEGMENT_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The file is too large (%(size)s); at most %(limit)s is accepted."),
    "too_many_pixels": _(
        "The picture has too many pixels; at most %(limit)s megapixels are accepted."
    ),
    "not_an_image": _("This file is not a picture (accepted: JPEG, PNG, WebP, GIF, BMP)."),
    "damaged": _("The picture is damaged or incomplete. Please take or choose it again."),
}


def configure_pillow():
    """Pillow refuses to decode more pixels than we accept (decompression bombs): it warns
    above ``MAX_IMAGE_PIXELS`` and raises above twice that. Called at start-up
    (``logistics.wiring``)."""
    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_IMAGE_MAX_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class CleanImage:
    """A decoded, upright, downscaled picture, re-encoded without metadata."""

    content: bytes
    format: str  # "JPEG" or "PNG"
    width: int
    height: int

    @property
    def extension(self):
        return {"JPEG": "jpg", "PNG": "png"}[self.format]

    @property
    def content_type(self):
        return {"JPEG": "image/jpeg", "PNG": "image/png"}[self.format]


@dataclass(frozen=True)
class StoredImage:
    """What ``image_store`` wrote: the name relative to the storage (``MEDIA_ROOT``)."""

    name: str
    width: int
    height: int
    size: int
    content_type: str

    @property
    def url(self):
        return reverse("protected_media", kwargs={"name": self.name})


def _error(code, **params):
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def _upload_size(upload):
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
        upload.seek(position)
    return size


def image_clean(upload) -> CleanImage:
    """Check that ``upload`` (an uploaded file or any binary file object) is a picture within
    the limits and return it re-encoded; raise ``ValidationError`` otherwise."""
    max_bytes = settings.UPLOAD_IMAGE_MAX_BYTES
    max_pixels = settings.UPLOAD_IMAGE_MAX_PIXELS
    max_side = settings.UPLOAD_IMAGE_MAX_SIDE
    # A truncated file is refused, whatever another library set globally (WeasyPrint
    # turns Pillow's LOAD_TRUNCATED_IMAGES on when it is imported).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    size = _upload_size(upload)
    if not size:
        raise _error("empty")
    if size > max_bytes:
        raise _error("too_large", size=filesizeformat(size), limit=filesizeformat(max_bytes))
    upload.seek(0)
    try:
        with Image.open(upload, formats=ALLOWED_FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _error("too_many_pixels", limit=f"{max_pixels / 1e6:g}")
            if image.format in ("JPEG", "MPO"):
                # Decode big JPEGs at a reduced scale straight away (far less memory).
                image.draft("RGB", (max_side, max_side))
            image.load()
            return _reencode(image, max_side)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _error("too_many_pixels", limit=f"{max_pixels / 1e6:g}") from exc
    except UnidentifiedImageError as exc:
        raise _error("not_an_image") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
        # Truncated data ("image file is truncated"), broken chunks, bad headers.
        raise _error("damaged") from exc


def _reencode(image, max_side) -> CleanImage:
    icc_profile = image.info.get("icc_profile") if image.mode != "CMYK" else None
    # Unreadable EXIF: keep the picture as it was drawn rather than refuse it.
    with contextlib.suppress(OSError, SyntaxError, ValueError, KeyError, TypeError):
        image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        image = image.convert("RGBA")
        has_alpha = image.getchannel("A").getextrema()[0] < 255
    if has_alpha:
        fmt, options = "PNG", {"optimize": True}
    else:
        fmt = "JPEG"
        options = {"quality": JPEG_QUALITY, "optimize": True, "progressive": True}
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    if icc_profile:
        # Colour, not metadata: without it wide-gamut phone photos look washed out.
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    # Nothing else is passed on: no EXIF (GPS, camera, time), no XMP, no comments.
    image.save(out, fmt, **options)
    return CleanImage(content=out.getvalue(), format=fmt, width=image.width, height=image.height)


def image_store(image, *, prefix, storage=None) -> StoredImage:
    """Store a picture (a ``CleanImage``, or an upload to clean first) under a new name in
    ``<prefix>/<yyyy>/<mm>/<dd>/``; return what was stored."""
    if not PREFIX_PATTERN.fullmatch(prefix):
        raise ValueError(f"not a media prefix: {prefix!r}")
    clean = image if isinstance(image, CleanImage) else image_clean(image)
    storage = storage or default_storage
    day = timezone.localdate()
    name = f"{prefix}/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{clean.extension}"
    name = storage.save(name, ContentFile(clean.content))
    return StoredImage(
        name=name,
        width=clean.width,
        height=clean.height,
        size=len(clean.content),
        content_type=clean.content_type,
    )


def validate_image_file(upload):
    """A validator (model or form field): ``upload`` must be a picture within the limits."""
    image_clean(upload)


class ImageUploadField(forms.FileField):
    """A picture from a phone camera or a file; cleaned to a ``CleanImage``."""

    widget = forms.ClearableFileInput(attrs={"accept": "image/*"})

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return image_clean(upload)


def media_name_is_safe(name):
    """A relative name of plain segments: no "..", ".", empty or hidden segment, no
    backslash, no absolute path, nothing percent-encoded."""
    return bool(name) and all(NAME_SEGMENT_PATTERN.fullmatch(part) for part in name.split("/"))


# --- PDF documents: no active content ---------------------------------------------------------
#
# A PDF may carry things that act when it is opened: scripts, embedded files, actions that
# start programs, open other files or send data, rich media, dynamic (XFA) forms. A scanned
# agreement needs none of them, so an upload that has any is refused. The file is read as
# PDF syntax, not searched as bytes: names are decoded (``/J#61vaScript`` is
# ``/JavaScript``), literal strings and comments are not names, stream data is skipped by
# its length (a picture's bytes may spell anything), and compressed object streams
# (``/Type /ObjStm``, where objects hide from a byte search) are inflated, within a
# bound, and read the same way. What cannot be read so (encryption, another compression,
# hidden or broken structure) is refused as well.

PDF_MESSAGES = {
    "pdf_script": _(
        "This PDF contains scripts (JavaScript), which are not accepted. Print or scan the "
        "document to a plain PDF and upload that."
    ),
    "pdf_attachment": _(
        "This PDF carries embedded files or attachments, which are not accepted. Print or "
        "scan the document to a plain PDF and upload that."
    ),
    "pdf_action": _(
        "This PDF contains actions that start programs, open other files or send data, "
        "which are not accepted. Print or scan the document to a plain PDF and upload that."
    ),
    "pdf_media": _(
        "This PDF contains multimedia, 3D content or a dynamic (XFA) form, which are not "
        "accepted. Print or scan the document to a plain PDF and upload that."
    ),
    "pdf_unchecked": _(
        "This PDF is encrypted, damaged or compressed in a way that cannot be checked. Print "
        "or scan the document to a plain PDF without a password and upload that."
    ),
}

# The names (PDF 2.0, ISO 32000-2) that make a document active, by what they do.
PDF_ACTIVE_NAMES = {
    **dict.fromkeys((b"JS", b"JavaScript"), "pdf_script"),
    **dict.fromkeys(
        (b"EmbeddedFiles", b"EmbeddedFile", b"EF", b"FileAttachment"), "pdf_attachment"
    ),
    **dict.fromkeys((b"Launch", b"SubmitForm", b"ImportData", b"GoToR", b"GoToE"), "pdf_action"),
    **dict.fromkeys(
        (
            b"RichMedia",
            b"RichMediaExecute",
            b"RichMediaContent",
            b"Rendition",
            b"Movie",
            b"Sound",
            b"3D",
            b"XFA",
        ),
        "pdf_media",
    ),
    b"Encrypt": "pdf_unchecked",
}
# How much the compressed object streams of one file may inflate to, all together.
PDF_OBJECT_STREAMS_MAX_BYTES = 16 * 1024 * 1024
_FLATE = {b"FlateDecode", b"Fl"}
_FILTERS = _FLATE | {
    b"ASCIIHexDecode",
    b"AHx",
    b"ASCII85Decode",
    b"A85",
    b"LZWDecode",
    b"LZW",
    b"RunLengthDecode",
    b"RL",
    b"CCITTFaxDecode",
    b"CCF",
    b"JBIG2Decode",
    b"DCTDecode",
    b"DCT",
    b"JPXDecode",
    b"Crypt",
}
_WHITESPACE = b"\x00\t\n\x0c\r "
_PDF_TOKEN = re.compile(
    rb"""
      (?P<comment>%[^\r\n]*)
    | (?P<string>\()
    | (?P<open><<)
    | (?P<close>>>)
    | (?P<hex><[^<>]*>)
    | (?P<name>/[^\x00\t\n\x0c\r\x20()<>\[\]{}/%]*)
    | (?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))
    | (?P<keyword>[A-Za-z][^\x00\t\n\x0c\r\x20()<>\[\]{}/%]*)
    """,
    re.VERBOSE,
)
_STRING_PART = re.compile(rb"[()\\]")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Inside the data of a stream, by its length: something a lenient reader could take for
# the end of the stream or for an object of its own.
_HIDDEN_STRUCTURE = re.compile(rb"endstream|endobj|\d[\x00\t\n\x0c\r ]+\d+[\x00\t\n\x0c\r ]+obj\b")


class _Unchecked(Exception):
    """The file cannot be read as PDF syntax far enough to be sure."""


def _pdf_name(raw):
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw[1:])


def _string_end(data, start):
    """The index after the literal string opening at ``start`` (balanced parentheses,
    backslash escapes)."""
    depth, position = 1, start + 1
    while True:
        match = _STRING_PART.search(data, position)
        if match is None:
            raise _Unchecked("unterminated string")
        char = match.group()
        if char == b"\\":
            position = match.end() + 1
            continue
        depth += 1 if char == b"(" else -1
        position = match.end()
        if depth == 0:
            return position


def _stream_length(data, tokens):
    """The ``/Length`` of the stream whose dictionary is ``tokens`` (a direct number, or an
    indirect one found as ``n g obj <number> endobj``), or None."""
    for index in range(len(tokens) - 1, -1, -1):
        kind, value = tokens[index]
        if kind != "name" or value != b"Length" or index + 1 >= len(tokens):
            continue
        following = tokens[index + 1 : index + 4]
        if following[0][0] != "number" or b"." in following[0][1]:
            return None
        if (
            len(following) == 3
            and following[1][0] == "number"
            and following[2] == ("keyword", b"R")
        ):
            number, generation = int(following[0][1]), int(following[1][1])
            match = re.search(
                rb"(?<![0-9])%d[\x00\t\n\x0c\r ]+%d[\x00\t\n\x0c\r ]+obj[\x00\t\n\x0c\r ]*"
                rb"(\d+)[\x00\t\n\x0c\r ]*endobj" % (number, generation),
                data,
            )
            return int(match.group(1)) if match else None
        return int(following[0][1])
    return None


class _PdfScan:
    def __init__(self, data):
        self.data = data
        self.budget = PDF_OBJECT_STREAMS_MAX_BYTES

    def found(self):
        """The code of the first kind of active content found, or None."""
        try:
            return self.scan(self.data, streams=True)
        except _Unchecked:
            return "pdf_unchecked"

    def scan(self, data, *, streams):
        position, previous = 0, None
        tokens = []  # the current object's, for its stream dictionary
        while True:
            match = _PDF_TOKEN.search(data, position)
            if match is None:
                return None
            kind, value = match.lastgroup, match.group()
            position = match.end()
            if kind == "comment":
                continue
            if kind == "string":
                position = _string_end(data, match.start())
            elif kind == "name":
                name = _pdf_name(value)
                code = PDF_ACTIVE_NAMES.get(name)
                if code is not None:
                    return code
                tokens.append(("name", name))
            elif kind in ("number", "keyword"):
                if value in (b"obj", b"endobj"):
                    tokens = []
                else:
                    tokens.append((kind, value))
                if kind == "keyword" and value == b"stream" and previous == "close":
                    if not streams:
                        raise _Unchecked("a stream inside an object stream")
                    start, end, position = self.stream_bounds(data, match.end(), tokens)
                    code = self.stream(data[start:end], tokens)
                    if code is not None:
                        return code
                    tokens = []
            previous = kind

    def stream_bounds(self, data, after_keyword, tokens):
        """Where the stream's data starts and ends, and where reading goes on."""
        start = after_keyword
        if data.startswith(b"\r\n", start):
            start += 2
        elif data[start : start + 1] in (b"\n", b"\r"):
            start += 1
        length = _stream_length(data, tokens)
        if length is not None:
            end = start + length
            after = end
            while after < len(data) and data[after] in _WHITESPACE:
                after += 1
            if data.startswith(b"endstream", after):
                if _HIDDEN_STRUCTURE.search(data, start, end):
                    raise _Unchecked("objects inside the data of a stream")
                return start, end, after + len(b"endstream")
        # No usable length: where a lenient reader ends it too.
        end = data.find(b"endstream", start)
        if end < 0:
            raise _Unchecked("unterminated stream")
        return start, end, end + len(b"endstream")

    def stream(self, content, tokens):
        names = {value for kind, value in tokens if kind == "name"}
        if not names & {b"ObjStm", b"First"}:
            return None  # page contents, pictures, fonts: data, not objects
        filters = [value for kind, value in tokens if kind == "name" and value in _FILTERS]
        if any(f not in _FLATE for f in filters) or b"Predictor" in names:
            raise _Unchecked("an object stream in another compression")
        for _filter in filters:
            content = self.inflate(content)
        return self.scan(content, streams=False)

    def inflate(self, content):
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(content, self.budget + 1)
        except zlib.error as exc:
            raise _Unchecked("damaged compression") from exc
        if len(out) > self.budget or inflater.unconsumed_tail:
            raise _Unchecked("an object stream too large to check")
        self.budget -= len(out)
        return out


def pdf_active_content(data: bytes) -> str | None:
    """The kind of active content the PDF ``data`` carries (a key of ``PDF_MESSAGES``),
    or None for a plain document."""
    return _PdfScan(data).found()


def pdf_check_content(data: bytes):
    """Raise ``ValidationError`` (with a code of ``PDF_MESSAGES``) when the PDF ``data``
    carries active content or cannot be checked."""
    code = pdf_active_content(data)
    if code is not None:
        raise ValidationError(PDF_MESSAGES[code], code=code)
