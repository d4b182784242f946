"""The semester work summary (后勤工作总结): its parts, figures, placeholders and the
context of the printed document.

Every registered section (``registry.summary_sections()``) is printed with the figures of
its own ``Section.figures`` — the selector its app's pages and the dashboard read — so
a figure in the PDF always equals the one on the page. The narrative's placeholders are
taken from the same figures (``Section.placeholders``) plus the document's own (the
school, the academic year, the term, the dates).
"""

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from logistics.common.registry import Placeholder, registry
from logistics.documents import narrative
from logistics.documents.models import Document, SummaryDraft
from logistics.models import Semester, User

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


# The fields of the draft (and of who saved it last) the list of summaries shows.
_DRAFT_FIELDS = {
    "draft_id": "draft__id",
    "draft_revision": "draft__revision",
    "draft_updated_at": "draft__updated_at",
    "draft_by_id": "draft__updated_by_id",
    "draft_by_name": "draft__updated_by__name",
    "draft_by_first_name": "draft__updated_by__first_name",
    "draft_by_last_name": "draft__updated_by__last_name",
    "draft_by_username": "draft__updated_by__username",
}


def summary_semesters(user, kind_key):
    """The semesters of the user's school, current first, each with its draft (``draft``:
    a ``SummaryDraft`` with its ``updated_by``, or None) and the number of the kind's
    documents the user reads of it (``document_count``), in one statement: the list of
    summaries needs no other read to show a semester and whether it has versions."""
    documents = (
        Document.objects.for_user(user)
        .filter(kind=kind_key, semester=OuterRef("pk"))
        .order_by()
        .values("semester")
        .annotate(n=Count("pk"))
        .values("n")
    )
    semesters = list(
        Semester.objects.for_school(user.school_id)
        .annotate(
            # One draft a school and semester (a unique constraint): a join, not a subquery.
            draft=FilteredRelation(
                "summary_drafts", condition=Q(summary_drafts__school_id=user.school_id)
            ),
            document_count=Coalesce(Subquery(documents, output_field=IntegerField()), Value(0)),
            **{name: F(field) for name, field in _DRAFT_FIELDS.items()},
        )
        .order_by("-is_current", "-start_date")
    )
    for semester in semesters:
        semester.draft = None
        if semester.draft_id is not None:
            by = None
            if semester.draft_by_id is not None:
                by = User(
                    pk=semester.draft_by_id,
                    name=semester.draft_by_name,
                    first_name=semester.draft_by_first_name,
                    last_name=semester.draft_by_last_name,
                    username=semester.draft_by_username,
                )
            semester.draft = SummaryDraft(
                pk=semester.draft_id,
                school_id=user.school_id,
                semester=semester,
                revision=semester.draft_revision,
                updated_at=semester.draft_updated_at,
                updated_by=by,
            )
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
