"""QR stickers for the rooms of a building: a page to choose, a PDF to print."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from logistics.forms.stickers import StickerForm
from logistics.models import Building
from logistics.pdf import PDFTimeout, pdf_response
from logistics.services import stickers


@login_required
@permission_required("logistics.dispatch_ticket", raise_exception=True)
def ticket_stickers(request):
    """GET: the page; GET with ``building`` (and ``floor``): the PDF of its stickers."""
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    if "building" not in request.GET:
        return _page(request, StickerForm(school=school))
    form = StickerForm(request.GET, school=school)
    if not form.is_valid():
        raw = request.GET.get("building", "")
        if (
            "building" in form.errors
            and raw.isascii()
            and raw.isdigit()
            and not Building.objects.for_school(school).filter(pk=raw).exists()
        ):
            raise Http404  # another school's building (or none at all)
        return _page(request, form)
    building, floor = form.cleaned_data["building"], form.cleaned_data["floor"]
    sheet = stickers.building_stickers(building, floor=floor)
    if not sheet:
        if floor is None:
            message = _("%(building)s has no rooms in use: add its rooms first.")
        else:
            message = _("%(building)s has no rooms in use on floor %(floor)s.")
        form.add_error(None, message % {"building": building.name, "floor": floor})
        return _page(request, form)
    try:
        pdf = stickers.sticker_sheet_pdf(building, sheet, floor=floor)
    except PDFTimeout:
        form.add_error(
            None, _("Making the PDF took too long. Try again, or print one floor at a time.")
        )
        return _page(request, form, status=503)
    name, ascii_name = stickers.sticker_filenames(building, floor=floor)
    return pdf_response(pdf, name, ascii_filename=ascii_name)


def _page(request, form, status=200):
    return render(
        request,
        "repairs/stickers.html",
        {
            "title": _("QR stickers"),
            "form": form,
            "buildings": form.fields["building"].queryset,
        },
        status=status,
    )
