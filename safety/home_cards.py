"""The safety cards on the home page: the inspector's work and the school's hazards."""

from logistics.common.registry import HomeCard


def _mine(request):
    from safety.selectors import inspector_counts

    return inspector_counts(request.user)


def _school(request):
    from safety.selectors import school_counts

    return school_counts(request.user.school)


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
