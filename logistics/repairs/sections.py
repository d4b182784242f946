"""The repairs' section of the dashboard and of the semester summary.

A section's figures are read by the same selector as the app's own page, so the
dashboard, the summary and the page show the same numbers; the printed summary's tables
(``repairs/summary_section.html``) and the narrative's placeholders are taken from the
same figures.
"""

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.choices import Trade
from logistics.common.formatting import percent_text
from logistics.common.registry import Placeholder, Section
from logistics.repairs.selectors.stats import repair_stats, repair_stats_changes_at


def _trade_help(trade):
    return gettext("Tickets filed for %(trade)s") % {"trade": trade.label}


trade_help = lazy(_trade_help, str)


def repair_placeholders(figures):
    """The named figures of the repairs section a narrative may use (``{报修单总数}``).

    The names are Chinese and fixed (the narratives are written in Chinese, whatever the
    language of the page); the values are the figures the section's tables print.
    """
    on_time = figures["on_time"]
    satisfaction = figures["satisfaction"]
    placeholders = [
        Placeholder(
            "报修单总数", figures["total"], _("Tickets filed (cancelled ones not counted)")
        ),
        Placeholder("已完成报修单数", figures["status"]["closed"], _("Tickets closed")),
        Placeholder("未完成报修单数", figures["status"]["open"], _("Tickets still open")),
        Placeholder(
            "待确认报修单数",
            figures["status"]["awaiting_confirmation"],
            _("Tickets done, awaiting the requester's confirmation"),
        ),
        Placeholder("取消报修单数", figures["cancelled"], _("Tickets cancelled (not counted)")),
        Placeholder("紧急报修单数", figures["urgent"], _("Urgent tickets")),
        Placeholder("返修报修单数", figures["reopened"], _("Tickets reopened at least once")),
        Placeholder(
            "响应时长中位数",
            figures["median_response_hours"],
            _("Median time from filing to the start of the work, in hours"),
        ),
        Placeholder(
            "完成时长中位数",
            figures["median_completion_hours"],
            _("Median time from filing to the work done, in hours"),
        ),
        Placeholder("评价数", satisfaction["rated"], _("Rated repairs")),
        Placeholder(
            "满意度评分", satisfaction["average"], _("Average rating (1–5) of the rated repairs")
        ),
        Placeholder(
            "满意率",
            percent_text(satisfaction["satisfied_percent"]),
            _("Share of the ratings with 4 or 5 stars, e.g. 95.2%"),
        ),
        Placeholder(
            "按时响应率",
            percent_text(on_time["response"]["percent"]),
            _("Share of the tickets started in time, e.g. 95.2%"),
        ),
        Placeholder(
            "按时完成率",
            percent_text(on_time["completion"]["percent"]),
            _("Share of the tickets finished in time, e.g. 95.2%"),
        ),
        Placeholder(
            "材料费用", figures["materials_cost"], _("Cost of the materials used, in yuan")
        ),
    ]
    for row in figures["per_trade"]:
        trade = Trade(row["trade"])
        with translation.override("zh-hans"):
            chinese = str(trade.label)
        placeholders.append(
            Placeholder(
                f"{chinese}工单数",
                row["count"],
                trade_help(trade),
            )
        )
    return placeholders


REPAIRS = Section(
    key="repairs",
    title=_("Repairs and maintenance"),
    figures=repair_stats,
    changes_at=repair_stats_changes_at,
    template="repairs/dashboard_section.html",
    permissions=("logistics.view_ticket",),
    order=20,
    print_template="repairs/summary_section.html",
    placeholders=repair_placeholders,
)


sections = [REPAIRS]
