"""The safety cards on the home page: the inspector's work and the school's hazards.

Their counts are kept under the school's figures stamp (``logistics.common.figures``),
which every write to a hazard or an inspection raises (``safety.signals``), for the day
(hazards are overdue by date) and until the next inspection falls due."""

from logistics.common.figures import kept_figures
from logistics.common.registry import HomeCard


def _mine(request):
    from safety.selectors import inspector_counts

    user = request.user
    return kept_figures(
        "safety:mine",
        user.school,
        lambda: inspector_counts(user, with_next_change=True),
        user.pk,
    )


def _school(request):
    from safety.selectors import school_counts

    school = request.user.school
    return kept_figures("safety:school", school, lambda: (school_counts(school), None))


home_cards = [
    HomeCard(
        key="safety_mine",
        template="safety/home_mine.html",
        context=_mine,
        permissions=("safety.add_inspectionresult",),
        needs_school=True,
        order=8,
    ),
    HomeCard(
        key="safety_school",
        template="safety/home_school.html",
        context=_school,
        permissions=("safety.view_hazard",),
        needs_school=True,
        order=9,
    ),
]
