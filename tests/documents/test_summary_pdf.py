"""The printed semester summary: every registered section prints its selector's figures
(tables and a vector chart) in an embedded CJK font; long tables repeat their header on
every page; the narrative's placeholders are filled from the same figures, an unknown one
is refused, and whatever is typed is printed as text (nothing is fetched or attached).
"""

import datetime
import re
import shutil
import socket
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.choices import Role, Trade
from logistics.common.registry import registry
from logistics.documents import narrative
from logistics.documents import pdf as pdfmod
from logistics.documents.charts import PALETTE
from logistics.documents.models import Document, SummaryDraft
from logistics.documents.selectors import SUMMARY_KIND, general_placeholders, summary_context
from logistics.repairs.choices import DamageCause, TicketStatus, Urgency
from logistics.repairs.models import TicketMaterial
from safety.choices import HazardLevel, HazardStatus, InspectionStatus, SafetyArea
from tests import factories
from tests import safety_factories as sf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not all(
            shutil.which(tool)
            for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "pdfdetach", "pdfimages")
        ),
        reason="poppler-utils (pdftotext, pdffonts, pdfinfo, pdftoppm…) are not installed",
    ),
]

START, END = datetime.date(2026, 9, 1), datetime.date(2027, 1, 31)
NOW = timezone.make_aware(datetime.datetime(2027, 2, 1, 12, 0))
LANGUAGE = "zh-hans"


# --- helpers --------------------------------------------------------------------------------


def poppler(tool, pdf_bytes, tmp_path, *args):
    path = Path(tmp_path) / "summary.pdf"
    path.write_bytes(pdf_bytes)
    command = [tool, *args, str(path)]
    if tool == "pdftotext":
        command.append("-")
    elif tool == "pdftoppm":
        command.append(str(Path(tmp_path) / "page"))
    result = subprocess.run(command, capture_output=True, check=True, timeout=120)
    return result.stdout.decode()


def page_count(pdf_bytes, tmp_path):
    info = poppler("pdfinfo", pdf_bytes, tmp_path)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf_bytes, tmp_path):
    return [
        poppler("pdftotext", pdf_bytes, tmp_path, "-layout", "-f", str(n), "-l", str(n))
        for n in range(1, page_count(pdf_bytes, tmp_path) + 1)
    ]


def row(*cells):
    """A regex of a table row as ``pdftotext -layout`` prints it: the cells in order."""
    return re.compile(r"^\s*" + r"\s+".join(re.escape(str(c)) for c in cells) + r"\s*$", re.M)


def rate(value):
    return "—" if value is None else f"{value}%"


def at(day, hour=9):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def document_for(semester):
    return Document(
        kind=SUMMARY_KIND,
        school=semester.school,
        semester=semester,
        period_start=semester.start_date,
        period_end=semester.end_date,
        version=0,
    )


def render(semester, texts=None):
    """The summary PDF of ``semester`` (with the draft's ``texts``) and its context."""
    if texts is not None:
        SummaryDraft.objects.update_or_create(
            school=semester.school, semester=semester, defaults={"texts": texts}
        )
    with translation.override(LANGUAGE):
        context = summary_context(document_for(semester), now=NOW)
        return pdfmod.render_pdf("documents/document.html", context), context


def figures_of(context, key):
    return next(item["figures"] for item in context["sections"] if item["section"].key == key)


# --- the data ---------------------------------------------------------------------------------


def repair_data(school):
    """Tickets of four trades in every state, rated, with materials; one cancelled."""
    requester = factories.user_with_role(Role.STAFF, school=school)
    room = factories.RoomFactory(building__school=school)
    worker = factories.technician(school)
    plan = {
        Trade.PLUMBING: [TicketStatus.CLOSED] * 4 + [TicketStatus.DONE, TicketStatus.SUBMITTED],
        Trade.ELECTRICAL: [TicketStatus.CLOSED] * 2 + [TicketStatus.SUBMITTED],
        Trade.CARPENTRY: [TicketStatus.CLOSED, TicketStatus.DONE],
        Trade.NETWORK: [TicketStatus.SUBMITTED],
    }
    tickets = []
    for t, (trade, statuses) in enumerate(plan.items()):
        for i, status in enumerate(statuses):
            created = at(datetime.date(2026, 9 + (i % 4), 3 + t), 8)
            finished = status in (TicketStatus.CLOSED, TicketStatus.DONE)
            ticket = factories.TicketFactory(
                school=school,
                requester=requester,
                room=room,
                trade=trade,
                status=status,
                assignee=worker if finished else None,
                urgency=Urgency.URGENT if i == 0 else Urgency.NORMAL,
                created_at=created,
                started_at=created + datetime.timedelta(hours=2 + i) if finished else None,
                done_at=created + datetime.timedelta(hours=20 + 3 * i) if finished else None,
                closed_at=created + datetime.timedelta(hours=30) if finished else None,
                rating=(5 - i % 3) if status == TicketStatus.CLOSED else None,
                cause=DamageCause.WEAR if finished else "",
                reopen_count=1 if (trade == Trade.PLUMBING and i == 1) else 0,
            )
            tickets.append(ticket)
    factories.TicketFactory(
        school=school, requester=requester, room=room, status=TicketStatus.CANCELLED,
        created_at=at(datetime.date(2026, 10, 8)),
    )  # fmt: skip
    for ticket, (name, quantity, cost) in zip(
        tickets[:3],
        [("台盆水管", "2", "12.50"), ("空气开关", "1", "35.00"), ("合页", "4", "3.20")],
        strict=False,
    ):
        TicketMaterial.objects.create(
            ticket=ticket,
            name=name,
            spec="标准",
            quantity=Decimal(quantity),
            unit="个",
            unit_cost=Decimal(cost),
            added_by=worker,
        )


def safety_data(school, months=((2026, 9), (2026, 10), (2026, 11))):
    """Hazards of three categories and both levels over ``months``, inspections, a drill
    and an agreement."""
    officer = factories.user_with_role(Role.SAFETY_OFFICER, school=school)
    plan = [
        (SafetyArea.FIRE, HazardLevel.GENERAL, HazardStatus.CLOSED),
        (SafetyArea.FIRE, HazardLevel.MAJOR, HazardStatus.CLOSED),
        (SafetyArea.FIRE, HazardLevel.GENERAL, HazardStatus.RECTIFYING),
        (SafetyArea.ELECTRICAL, HazardLevel.GENERAL, HazardStatus.CLOSED),
        (SafetyArea.ELECTRICAL, HazardLevel.MAJOR, HazardStatus.REPORTED),
        (SafetyArea.CANTEEN, HazardLevel.GENERAL, HazardStatus.CLOSED),
        (SafetyArea.CANTEEN, HazardLevel.GENERAL, HazardStatus.WITHDRAWN),
    ]
    for i, (category, level, status) in enumerate(plan):
        year, month = months[i % len(months)]
        found = at(datetime.date(year, month, 5 + i))
        sf.HazardFactory(
            school=school,
            found_by=officer,
            category=category,
            level=level,
            status=status,
            found_at=found,
            deadline=found.date() + datetime.timedelta(days=7),
            **({"closed_at": found + datetime.timedelta(days=2)} if status == "closed" else {}),
        )
    template = sf.template_with_items(school, SafetyArea.FIRE)
    for day, status in [(1, InspectionStatus.SUBMITTED), (2, InspectionStatus.PLANNED)]:
        done = status == InspectionStatus.SUBMITTED
        sf.InspectionFactory(
            school=school,
            template=template,
            inspector=officer,
            period_start=datetime.date(2026, 9, day),
            status=status,
            started_at=at(datetime.date(2026, 9, day), 8) if done else None,
            submitted_at=at(datetime.date(2026, 9, day), 10) if done else None,
        )
    sf.DrillFactory(school=school, recorded_by=officer, held_on=datetime.date(2026, 9, 15))
    sf.AgreementFactory(school=school, recorded_by=officer)


@pytest.fixture
def semester(school):
    semester = factories.SemesterFactory(school=school, start_date=START, end_date=END)
    repair_data(school)
    safety_data(school)
    return semester


# --- checks of each registered section -------------------------------------------------------


def check_repairs(text, figures):
    assert figures["total"] == 12  # the data above: the cancelled one is not counted
    footer = re.compile(
        rf"^\s*{re.escape(_('All trades'))}\s+{figures['total']}\s+{figures['status']['closed']}"
        rf"\s+{figures['status']['awaiting_confirmation']}\s+{figures['status']['open']}\s",
        re.M,
    )
    assert footer.search(text), text
    shown = 0
    for trade in figures["per_trade"]:
        line = re.compile(
            rf"^\s*{re.escape(str(trade['label']))}\s+{trade['count']}\s+{trade['closed']}"
            rf"\s+{trade['awaiting_confirmation']}\s+{trade['open']}\s",
            re.M,
        )
        if trade["count"]:
            shown += 1
            assert line.search(text), (trade, text)
    assert shown == 4
    assert str(figures["materials_cost"]) in text
    assert str(figures["median_completion_hours"]) in text
    assert rate(figures["on_time"]["response"]["percent"]) in text
    assert str(figures["charts"]["per_trade"].title) in text  # the chart's caption


def check_safety(text, figures):
    hazards = figures["hazards"]
    assert (hazards["found"], hazards["rectified"]) == (6, 4)  # the withdrawn one left out
    total = re.compile(
        rf"^\s*{re.escape(_('All categories'))}\s+{hazards['found']}\s+{hazards['major']}"
        rf"\s+{hazards['rectified']}\s+{hazards['unrectified']}\s+{hazards['overdue']}"
        rf"\s+{re.escape(rate(hazards['rate']))}\s*$",
        re.M,
    )
    assert total.search(text), text
    for r in figures["per_category"]:
        assert row(
            r["label"], r["found"], r["major"], r["rectified"], r["unrectified"], r["overdue"],
            rate(r["rate"]),
        ).search(text), (r, text)  # fmt: skip
    for r in figures["per_month"]:
        assert row(
            r["label"], r["found"], r["rectified"], r["unrectified"], rate(r["rate"])
        ).search(text), (r, text)
    inspections = figures["inspections"]
    flat = re.sub(r"\s+", "", text)
    assert f"{inspections['submitted']}/{inspections['total']}" in flat
    assert str(figures["charts"]["trend"].title) in text


# What to check in each section's printed figures: every registered section has an entry.
SECTION_CHECKS = {"repairs": check_repairs, "safety": check_safety}


def test_every_section_prints_its_selectors_figures(semester, tmp_path):
    sections = registry.summary_sections()
    assert [s.key for s in sections if s.key not in SECTION_CHECKS] == [], (
        "a registered section has no check of its printed figures here"
    )
    content, context = render(semester)
    assert content.startswith(b"%PDF-")
    text = poppler("pdftotext", content, tmp_path, "-layout")
    with translation.override(LANGUAGE):
        for section in sections:
            assert section.print_template, section.key
            assert section.placeholders is not None, section.key
            assert str(section.title) in text
            # The figures printed are the selector's, read for the same period and time.
            figures = section.figures(semester.school, START, END, now=NOW)
            assert figures_of(context, section.key) == figures
            SECTION_CHECKS[section.key](text, figures)


def test_cjk_font_embedded_and_charts_are_vector(semester, tmp_path):
    content, _context = render(semester)
    fonts = poppler("pdffonts", content, tmp_path)
    cjk = [line for line in fonts.splitlines()[2:] if "CJK" in line.split()[0]]
    assert cjk, fonts
    assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in cjk), fonts
    # No raster image at all: the charts are drawn as vectors.
    images = poppler("pdfimages", content, tmp_path, "-list").splitlines()
    assert images[2:] == [], images
    # … and they are drawn: the charts' colours are on the pages (nothing else is coloured).
    poppler("pdftoppm", content, tmp_path, "-r", "40", "-png")
    from PIL import Image

    def near(pixel, colour):
        return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))

    wanted = {tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in PALETTE[:2]}
    seen = set()
    for page in sorted(Path(tmp_path).glob("page-*.png")):
        image = Image.open(page).convert("RGB")
        for _count, pixel in image.getcolors(image.width * image.height):
            seen.update(c for c in wanted if near(pixel, c))
    assert seen == wanted


def test_a_long_table_repeats_its_header_on_every_page(school, tmp_path):
    """48 months of hazards: the per-month table runs over pages, each with its header."""
    semester = factories.SemesterFactory(
        school=school,
        academic_year=2023,
        start_date=datetime.date(2023, 9, 1),
        end_date=datetime.date(2027, 8, 31),
    )
    safety_data(
        school, months=[(2023 + (9 + m) // 12, (9 + m) % 12 or 12) for m in range(0, 48, 7)]
    )
    content, context = render(semester)
    months = figures_of(context, "safety")["per_month"]
    assert len(months) == 48
    with translation.override(LANGUAGE):
        header = re.compile(
            r"\s+".join(re.escape(_(h)) for h in ("Month", "Found", "Rectified", "Not rectified"))
            + r"\s+"
            + re.escape(_("Rate"))
        )
    month_row = re.compile(r"^\s*\d{4}-\d{2}\s+\d+\s+\d+\s+\d+\s+(—|\d+\.\d%)\s*$", re.M)
    pages = [t for t in page_texts(content, tmp_path) if month_row.search(t)]
    assert len(pages) >= 2
    for text in pages:
        assert header.search(text), text
    printed = [m.group(0).split()[0] for t in pages for m in month_row.finditer(t)]
    assert printed == [m["label"] for m in months]


def test_narrative_placeholders_are_filled_from_the_figures(semester, tmp_path):
    content, context = render(
        semester,
        {
            "opening": "本学期{学校}共受理报修{报修单总数}单，其中水工{水工工单数}单。",
            "sections": {"safety": "- 排查隐患{隐患总数}处，整改率{整改率}。"},
        },
    )
    repairs, safety = figures_of(context, "repairs"), figures_of(context, "safety")
    plumbing = next(t for t in repairs["per_trade"] if t["trade"] == Trade.PLUMBING)
    text = re.sub(r"\s+", "", poppler("pdftotext", content, tmp_path))
    expected = (
        f"本学期{semester.school.name}共受理报修{repairs['total']}单，"
        f"其中水工{plumbing['count']}单。"
    )
    assert expected in text
    assert f"排查隐患{safety['hazards']['found']}处，整改率{safety['hazards']['rate']}%。" in text


def test_an_unknown_placeholder_is_refused_never_blank(semester):
    SummaryDraft.objects.create(
        school=semester.school, semester=semester, texts={"sections": {"repairs": "共{报修总数}单"}}
    )
    with pytest.raises(narrative.NarrativeError, match="报修总数"):
        summary_context(document_for(semester), now=NOW)


def test_a_hostile_narrative_is_printed_as_text(semester, tmp_path, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    fetched = []
    original = pdfmod.StaticURLFetcher.fetch

    def recording(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdfmod.StaticURLFetcher, "fetch", recording)
    lines = [
        "<link rel=attachment href=file:///etc/passwd>",
        f"<img src=http://127.0.0.1:{port}/x.png>",
        "<script>alert(1)</script>",
        '<svg><image href="file:///etc/hostname"/></svg>',
    ]
    try:
        content, _context = render(
            semester, {"opening": "\n".join(lines), "sections": {"safety": "- " + lines[0]}}
        )
        with pytest.raises(TimeoutError):
            listener.accept()  # nobody called
    finally:
        listener.close()
    assert fetched == []
    text = re.sub(r"\s+", " ", poppler("pdftotext", content, tmp_path))
    for line in lines:
        assert line in text, text
    assert "root:" not in text
    detached = poppler("pdfdetach", content, tmp_path, "-list")
    assert re.match(r"0 embedded files", detached), detached
    images = poppler("pdfimages", content, tmp_path, "-list").splitlines()
    assert images[2:] == []


def test_placeholders_unique_fixed_and_equal_to_the_figures(semester):
    school = semester.school
    names = [p.name for p in general_placeholders(school, semester)]
    by_section = {}
    for section in registry.summary_sections():
        figures = section.figures(school, START, END, now=NOW)
        with translation.override(LANGUAGE):
            chinese = section.placeholders(figures)
        with translation.override("en"):
            english = section.placeholders(figures)
        # Fixed names (the narratives are Chinese whatever the page's language) …
        assert [p.name for p in chinese] == [p.name for p in english], section.key
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", p.name) for p in chinese), section.key
        with translation.override("en"):
            assert all(str(p.help) for p in english)
        names += [p.name for p in chinese]
        by_section[section.key] = ({p.name: p.value for p in chinese}, figures)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert duplicates == []

    values, figures = by_section["repairs"]
    assert values["报修单总数"] == figures["total"] == 12
    assert values["已完成报修单数"] == figures["status"]["closed"]
    assert values["未完成报修单数"] == figures["status"]["open"]
    assert values["待确认报修单数"] == figures["status"]["awaiting_confirmation"]
    assert values["响应时长中位数"] == figures["median_response_hours"]
    assert values["满意率"] == f"{figures['satisfaction']['satisfied_percent']}%"
    assert values["材料费用"] == figures["materials_cost"]
    counts = {t["trade"]: t["count"] for t in figures["per_trade"]}
    for name, trade in [
        ("水工", Trade.PLUMBING),
        ("电工", Trade.ELECTRICAL),
        ("木工", Trade.CARPENTRY),
    ]:
        assert values[f"{name}工单数"] == counts[trade]
    assert values["综合维修工单数"] == counts[Trade.GENERAL] == 0

    values, figures = by_section["safety"]
    hazards = figures["hazards"]
    assert values["隐患总数"] == hazards["found"] == 6
    assert values["已整改隐患数"] == hazards["rectified"] == 4
    assert values["未整改隐患数"] == hazards["unrectified"] == 2
    assert values["整改率"] == f"{hazards['rate']}%" == "66.7%"
    assert values["重大隐患数"] == hazards["major"] == 2
    assert values["应检查次数"] == figures["inspections"]["total"]
    assert values["完成检查次数"] == figures["inspections"]["submitted"]
    assert values["演练次数"] == figures["drills"]["drills"] == 1
    assert values["责任书签订人数"] == figures["agreements"]["covered"]
    assert values["责任书覆盖率"] == f"{figures['agreements']['rate']}%"
