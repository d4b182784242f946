"""The semester summary: saving its text as it is typed, asking for the PDF."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from logistics.common.registry import registry
from logistics.common.workflow import PERMISSION, Refusal
from logistics.documents import narrative, selectors
from logistics.documents.models import SummaryDraft
from logistics.documents.services.documents import document_request, kind_of, may_make


def _part_key(part, section):
    if part == "section":
        if section not in registry.sections:
            raise ValidationError(_("Unknown section: %(section)s") % {"section": section})
        return ("sections", section)
    if part not in selectors.TEXT_PARTS:
        raise ValidationError(_("Unknown part of the summary: %(part)s") % {"part": part})
    return (part, None)


def _own_semester(school, semester):
    if semester.school_id != school.pk:
        raise Refusal(_("This belongs to another school."), PERMISSION)


def summary_draft_save(*, school, semester, actor, part, text, section=None):
    """Save one part of the semester's text (the opening, a section's narrative,
    problems, plans). Two people writing different parts at once both keep their text;
    the same part: the last save wins. Returns the draft. The text is kept even with an
    unknown placeholder (the editor shows the problem; the PDF is refused until fixed)."""
    if not may_make(actor, kind_of(selectors.SUMMARY_KIND)):
        raise Refusal(_("You cannot make this document."), PERMISSION)
    _own_semester(school, semester)
    key, section_key = _part_key(part, section)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > selectors.MAX_TEXT:
        raise ValidationError(
            _("At most %(max)s characters a part (this one has %(n)s).")
            % {"max": selectors.MAX_TEXT, "n": len(text)}
        )
    for attempt in range(2):
        try:
            with transaction.atomic():
                draft, _created = SummaryDraft.objects.select_for_update().get_or_create(
                    school=school, semester=semester, defaults={"texts": {}}
                )
                texts = dict(draft.texts or {})
                if section_key is None:
                    texts[key] = text
                else:
                    texts["sections"] = {**(texts.get("sections") or {}), section_key: text}
                draft.texts = texts
                draft.updated_by = actor
                draft.revision += 1
                draft.save()
                return draft
        except IntegrityError:  # two first saves at once: the other created it
            if attempt:
                raise
    raise AssertionError("unreachable")


def summary_request(*, school, semester, actor):
    """Ask for the semester's summary PDF (or join the one being made). Refused, with
    every problem listed, while a text names an unknown placeholder."""
    _own_semester(school, semester)
    draft = selectors.draft_for(school, semester)
    sections = selectors.section_figures(school, semester)
    names = selectors.placeholder_values(school, semester, sections)
    problems = selectors.draft_problems(draft, names)
    if problems:
        titles = {(key, section): title for key, section, title, _t in selectors.text_parts(draft)}
        raise ValidationError(
            [f"{titles[part]}: {problem}" for part, found in problems.items() for problem in found]
        )
    return document_request(
        kind=selectors.SUMMARY_KIND,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=actor,
    )


def summary_context(document, *, progress=None):
    """The document kind's context (see ``selectors.summary_context``)."""
    try:
        return selectors.summary_context(document, progress=progress)
    except narrative.NarrativeError as exc:
        raise ValidationError(
            _("The text has a problem: %(problems)s") % {"problems": exc}
        ) from exc
