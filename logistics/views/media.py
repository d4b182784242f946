"""Media files (uploads), served only after a permission check.

There is no public /media/ route and whitenoise serves only static files. In production
(``MEDIA_X_ACCEL_REDIRECT`` set) nginx sends the file from an ``internal`` location once
this view allows it; otherwise Django streams it.

An uploaded file never runs in the portal's origin: its type comes from the name we gave
it (never sniffed: ``nosniff``), its own Content-Security-Policy is a ``sandbox`` that
allows nothing, and only pictures are shown in the browser (``inline``); a PDF (or
anything else) is a download (``attachment``): a browser's PDF viewer does not start in a
sandbox, and a download is opened outside the portal. Like every answer to a signed-in
person it is not cached (``logistics.middleware.PrivateResponseMiddleware``).
"""

import mimetypes
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from logistics.common.registry import registry
from logistics.common.uploads import media_name_is_safe

# What the upload checks re-encode (logistics.common.uploads.image_clean): shown in the browser.
INLINE_TYPES = {"image/jpeg", "image/png"}
# A served upload may load nothing, run nothing, and is its own opaque origin.
UPLOAD_CSP = "default-src 'none'; sandbox"


@login_required
def protected_media(request, name):
    """``/media/<name>``: the file, if the app that registered its folder lets this user
    read it (``registry.media``).

    Anything else is a 404, so nobody learns whether a file exists.
    """
    if not media_name_is_safe(name) or not registry.may_read_media(request.user, name):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    accel = settings.MEDIA_X_ACCEL_REDIRECT
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(path.open("rb"), content_type=content_type)
    if content_type in INLINE_TYPES:
        response["Content-Disposition"] = "inline"
    else:
        response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
