"""Media files (uploads), served only after a permission check.

There is no public /media/ route and whitenoise serves only static files. In production
(``MEDIA_X_ACCEL_REDIRECT`` set) nginx sends the file from an ``internal`` location once
this view allows it; otherwise Django streams it.
"""

import mimetypes
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from logistics.uploads import media_access, media_name_is_safe


@login_required
def protected_media(request, name):
    """``/media/<name>``: the file, if the resolver of its folder lets this user read it.

    Anything else is a 404, so nobody learns whether a file exists.
    """
    if not media_name_is_safe(name) or not media_access.can_read(request.user, name):
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
    response["Content-Disposition"] = "inline"
    # Per user: kept by the browser, never by a shared cache.
    response["Cache-Control"] = "private, max-age=3600"
    return response
