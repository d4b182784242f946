"""QR stickers for the rooms of a building: a page to choose, a sheet made in the
background.

GET: the page (the school's buildings in use, the form, the sheets made). POST: ask for
the sheet of a building (or one floor) and go to its page, which follows the progress
and offers the download (``logistics.documents.views.documents``). The sheet is never rendered
here: a large building's sheet can take longer than a web worker may (see
``logistics.repairs.services.stickers``). Another school's building is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from logistics.common.permissions import permission_required
from logistics.common.views import add_service_errors
from logistics.documents.models import Document
from logistics.documents.services.documents import kind_of
from logistics.documents.views.documents import documents_page
from logistics.models import Building
from logistics.repairs.forms.stickers import StickerForm
from logistics.repairs.services import stickers


@login_required
@permission_required("logistics.dispatch_ticket", raise_exception=True)
def ticket_stickers(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    if request.method != "POST":
        return _page(request, StickerForm(school=school, initial=_initial(request)))
    form = StickerForm(request.POST, school=school)
    if not form.is_valid():
        raw = request.POST.get("building", "")
        if (
            "building" in form.errors
            and raw.isascii()
            and raw.isdigit()
            and not Building.objects.for_school(school).filter(pk=raw).exists()
        ):
            raise Http404  # another school's building (or none at all)
        return _page(request, form, status=400)
    building, floor = form.cleaned_data["building"], form.cleaned_data["floor"]
    try:
        document, created = stickers.sticker_sheet_request(
            school=school,
            building=building,
            floor=floor,
            actor=request.user,
            language=translation.get_language(),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _page(request, form, status=400)
    if created:
        messages.success(request, _("The sheet is being made: this page shows its progress."))
    elif document.in_progress:
        messages.info(request, _("This sheet is already being made: here is its progress."))
    else:
        messages.info(
            request, _("Nothing on this sheet has changed since it was made: here it is.")
        )
    return redirect("summary_document", document.pk)


def _initial(request):
    """``?building=<id>`` (a link from elsewhere) chooses the building in the form."""
    raw = request.GET.get("building", "")
    return {"building": raw} if raw.isascii() and raw.isdigit() and len(raw) < 19 else {}


def _page(request, form, status=200):
    kind = kind_of(stickers.KIND)
    documents = (
        Document.objects.for_user(request.user)
        .filter(kind=kind.key)
        .select_related("requested_by", "school", "semester")
    )
    page, rows = documents_page(documents, request.GET.get("page"))
    return render(
        request,
        "repairs/stickers.html",
        {
            "title": _("QR stickers"),
            "form": form,
            "buildings": form.fields["building"].queryset,
            "page": page,
            "documents": stickers.describe_many(rows),
            "can_generate": True,  # the page's own permission is the kind's
            "with_description": True,
            "with_period": True,
        },
        status=status,
    )
