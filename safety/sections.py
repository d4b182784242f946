"""Campus safety's section of the dashboard and of the semester summary.

The figures are ``safety.selectors.stats.safety_stats``, the same selector the safety
pages read, so the dashboard, the summary and the pages show the same numbers; the
printed summary's tables (``safety/summary_section.html``) and the narrative's
placeholders are taken from the same figures.
"""

from django.utils.translation import gettext_lazy as _

from logistics.common.formatting import percent_text
from logistics.common.registry import Placeholder, Section
from safety.selectors.stats import safety_stats, safety_stats_changes_at


def safety_placeholders(figures):
    """The named figures of the safety section a narrative may use (``{整改率}``).

    The names are Chinese and fixed; the values are the figures the section's tables
    print (a rate as the pages show it, "95.2%").
    """
    hazards = figures["hazards"]
    inspections = figures["inspections"]
    drills = figures["drills"]
    agreements = figures["agreements"]
    return [
        Placeholder("隐患总数", hazards["found"], _("Hazards found (withdrawn ones not counted)")),
        Placeholder(
            "已整改隐患数", hazards["rectified"], _("Hazards closed by the end of the period")
        ),
        Placeholder(
            "未整改隐患数", hazards["unrectified"], _("Hazards not closed by the end of the period")
        ),
        Placeholder(
            "整改率",
            percent_text(hazards["rate"]),
            _("Rectification rate, e.g. 95.2% (rectified ÷ found)"),
        ),
        Placeholder("重大隐患数", hazards["major"], _("Major hazards found")),
        Placeholder("重大隐患整改数", hazards["major_rectified"], _("Major hazards rectified")),
        Placeholder(
            "超期隐患数", hazards["overdue"], _("Hazards still open past their deadline now")
        ),
        Placeholder(
            "应检查次数",
            inspections["total"],
            _("Inspections due in the period (cancelled ones not counted)"),
        ),
        Placeholder("完成检查次数", inspections["submitted"], _("Inspections done")),
        Placeholder("按时检查次数", inspections["on_time"], _("Inspections done on time")),
        Placeholder(
            "检查完成率",
            percent_text(inspections["percent_done"]),
            _("Inspections done ÷ due, e.g. 95.2%"),
        ),
        Placeholder("演练次数", drills["drills"], _("Emergency drills held")),
        Placeholder("演练参与人次", drills["participants"], _("Participants in the drills")),
        Placeholder(
            "演练达标月数",
            drills["met"],
            _("Months of the term with the drill requirement met"),
        ),
        Placeholder("责任书应签人数", agreements["staff"], _("Active people of the school")),
        Placeholder(
            "责任书签订人数",
            agreements["covered"],
            _("People with a valid responsibility agreement for the academic year"),
        ),
        Placeholder(
            "责任书覆盖率",
            percent_text(agreements["rate"]),
            _("Responsibility agreement coverage, e.g. 95.2%"),
        ),
    ]


SAFETY = Section(
    key="safety",
    title=_("Campus safety"),
    figures=safety_stats,
    changes_at=safety_stats_changes_at,
    template="safety/dashboard_section.html",
    permissions=("safety.view_hazard",),
    order=30,
    print_template="safety/summary_section.html",
    placeholders=safety_placeholders,
)


sections = [SAFETY]
