"""The semester work summary (后勤工作总结): its parts, figures, placeholders and the
context of the printed document.

Every registered section (``registry.summary_sections()``) is printed with the figures of
its own ``Section.figures`` — the selector its app's pages and the dashboard read — so
a figure in the PDF always equals the one on the page. The narrative's placeholders are
taken from the same figures (``Section.placeholders``) plus the document's own (the
school, the academic year, the term, the dates).
"""

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.registry import Placeholder, registry
from logistics.documents import narrative
from logistics.documents.models import SummaryDraft
from logistics.documents.selectors import sql
from logistics.models import User

SUMMARY_KIND = "semester_summary"

# The parts of the text besides the sections': (key, title, help).
OPENING, PROBLEMS, PLANS = "opening", "problems", "plans"
TEXT_PARTS = {
    OPENING: gettext_lazy("Opening"),
    PROBLEMS: gettext_lazy("Problems (存在问题)"),
    PLANS: gettext_lazy("Next semester's plans (下学期工作计划)"),
}
MAX_TEXT = 20_000  # characters per part

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n):
    """1 → 一, 12 → 十二, 20 → 二十 (up to 99)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_NUMERALS[tens - 1]
    return head + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def summary_title(semester):
    """ "2026~2027学年第一学期后勤工作总结" (in the active language)."""
    return _("%(years)s academic year, %(term)s: logistics work summary") % {
        "years": semester.year_label,
        "term": semester.get_term_display(),
    }


def general_placeholders(school, semester):
    """The document's own placeholders (names in Chinese: the narratives are)."""
    with translation.override("zh-hans"):
        term = str(semester.get_term_display())
    return [
        Placeholder("学校", school.name, gettext_lazy("The school's name")),
        Placeholder("学年", semester.year_label, gettext_lazy("The academic year")),
        Placeholder("学期", term, gettext_lazy("The term")),
        Placeholder(
            "开始日期", f"{semester.start_date:%Y年%m月%d日}", gettext_lazy("First day of term")
        ),
        Placeholder(
            "结束日期", f"{semester.end_date:%Y年%m月%d日}", gettext_lazy("Last day of term")
        ),
    ]


def section_figures(school, semester, *, now=None, progress=None):
    """``[(section, figures, placeholders)]`` for every registered section, in order."""
    now = now or timezone.now()
    sections = registry.summary_sections()
    out = []
    for i, section in enumerate(sections):
        if progress is not None:
            progress(
                5 + 30 * i // max(1, len(sections)),
                _("Reading the records: %(section)s") % {"section": section.title},
            )
        figures = section.figures(school, semester.start_date, semester.end_date, now=now)
        placeholders = list(section.placeholders(figures)) if section.placeholders else []
        out.append((section, figures, placeholders))
    return out


def placeholder_values(school, semester, sections):
    """``{name: value}`` of every placeholder (the document's and each section's)."""
    values = {p.name: p.value for p in general_placeholders(school, semester)}
    for _section, _figures, placeholders in sections:
        values.update((p.name, p.value) for p in placeholders)
    return values


def summary_semesters(user, kind_key):
    """The semesters of the user's school, current first, each with its draft (``draft``:
    a ``SummaryDraft`` with its ``updated_by``, or None) and the number of the kind's
    documents the user reads of it (``document_count``), in one statement
    (``sql.summary_semester_rows``): the list of summaries needs no other read to show a
    semester and whether it has versions."""
    rows = sql.summary_semester_rows(
        connection, user.school_id, kind_key, any_school=user.is_superuser
    )
    semesters = []
    for semester, count, draft, by in rows:
        semester.document_count = count
        semester.draft = None
        if draft is not None:
            pk, revision, updated_at, by_id = draft
            saver = None
            if by is not None:
                name, first_name, last_name, username = by
                saver = User(
                    pk=by_id,
                    name=name,
                    first_name=first_name,
                    last_name=last_name,
                    username=username,
                )
            semester.draft = SummaryDraft(
                pk=pk,
                school_id=user.school_id,
                semester=semester,
                revision=revision,
                updated_at=updated_at,
                updated_by=saver,
            )
        semesters.append(semester)
    return semesters


def draft_for(school, semester):
    """The semester's draft, or an unsaved empty one."""
    return SummaryDraft.objects.filter(school=school, semester=semester).first() or (
        SummaryDraft(school=school, semester=semester, texts={})
    )


def text_parts(draft):
    """``[(key, section key or None, title, text)]``: the opening, each registered
    section, problems, plans."""
    parts = [(OPENING, None, TEXT_PARTS[OPENING], draft.text(OPENING))]
    parts += [
        ("section", s.key, s.title, draft.text("section", s.key))
        for s in registry.summary_sections()
    ]
    parts += [(key, None, TEXT_PARTS[key], draft.text(key)) for key in (PROBLEMS, PLANS)]
    return parts


def draft_problems(draft, names):
    """``{(part, section): [narrative.Problem]}`` of the parts that have any."""
    found = {}
    for key, section, _title, text in text_parts(draft):
        problems = narrative.check(text, names)
        if problems:
            found[(key, section)] = problems
    return found


def summary_context(document, *, progress=None, now=None):
    """The context of ``documents/document.html`` for ``document`` (its school and
    semester; the draft as it is now). Raises ``narrative.NarrativeError`` if a text has
    an unknown placeholder (the request checks first; a text changed since then is
    refused here rather than printed with a blank)."""
    school, semester = document.school, document.semester
    sections = section_figures(school, semester, now=now, progress=progress)
    values = placeholder_values(school, semester, sections)
    draft = draft_for(school, semester)
    numbered = []
    for number, (section, figures, _placeholders) in enumerate(sections, start=1):
        numbered.append(
            {
                "number": number,
                "numeral": chinese_number(number),
                "section": section,
                "figures": figures,
                "blocks": narrative.blocks(draft.text("section", section.key), values),
            }
        )
    n = len(numbered)
    return {
        "title": summary_title(semester),
        "school": school,
        "semester": semester,
        "document": document,
        "made_at": timezone.localtime(now or timezone.now()),
        "opening": narrative.blocks(draft.text(OPENING), values),
        "sections": numbered,
        "problems": {
            "numeral": chinese_number(n + 1),
            "blocks": narrative.blocks(draft.text(PROBLEMS), values),
        },
        "plans": {
            "numeral": chinese_number(n + 2),
            "blocks": narrative.blocks(draft.text(PLANS), values),
        },
    }
