"""The repair statistics page (报修统计) of a school and a period."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from logistics.common.periods import resolve_period
from logistics.common.permissions import permission_required
from logistics.repairs.selectors.stats import REPEATED_FAULTS, repair_stats


@login_required
@permission_required("logistics.view_ticket", raise_exception=True)
def ticket_stats(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    form, period = resolve_period(school, request.GET)
    return render(
        request,
        "repairs/stats.html",
        {
            "title": _("Repair statistics"),
            "form": form,
            "period": period,
            "figures": repair_stats(school, period.start, period.end) if period else None,
            "repeated_faults": REPEATED_FAULTS,
        },
    )
