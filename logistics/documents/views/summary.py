"""The semester work summary's pages and the pages of any printed document.

- ``summary_index``: the school's semesters (current first) and, for the chosen one, the
  text's state, "Generate PDF" and the versions made; a district viewer sees the
  summaries of the district's schools.
- ``summary_edit`` / ``summary_save``: the editor, one text per part with the figures a
  narrative may name beside it; saved part by part as it is typed (htmx), or all at
  once by a plain form post.
- ``summary_generate``: asks for the PDF (``services.summary.summary_request``), or
  joins the one being made.
- the page of a document (its progress, retry, download) is any kind's:
  ``logistics.documents.views.documents``.

Who: general affairs writes and generates; the principal and district viewers read and
download (``logistics.view_document``). The rules are the services'.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from logistics.common.permissions import permission_required
from logistics.documents import narrative, selectors
from logistics.documents.forms import SummaryTextForm, parse_field
from logistics.documents.models import Document, SummaryDraft
from logistics.documents.services import summary as services
from logistics.documents.services.documents import kind_of, may_make
from logistics.documents.views.documents import documents_page
from logistics.models import Semester

EDIT_PERMISSION = "logistics.change_summarydraft"
# The editor checks each autosave's placeholders against the names of the semester's
# figures; reading every section's figures on each pause in the typing is wasted work, so
# the names (not the values) are kept this long. Generating checks again, afresh.
NAMES_SECONDS = 120


def _school(request):
    school = request.user.school
    if school is None:
        raise PermissionDenied(_("Your account does not belong to a school."))
    return school


def _semester(request, semester_id):
    return get_object_or_404(Semester.objects.for_school(request.user.school_id), pk=semester_id)


def _summary_kind():
    return kind_of(selectors.SUMMARY_KIND)


# --- The list ------------------------------------------------------------------------------


@login_required
@permission_required("logistics.view_document", raise_exception=True)
def summary_index(request):
    user = request.user
    kind = _summary_kind()
    documents = (
        Document.objects.for_user(user)
        .filter(kind=kind.key)
        .select_related("requested_by", "school", "semester")
    )
    context = {
        "title": _("Semester summary"),
        "kind": kind,
        "semesters": [],
        "chosen": None,
        "draft": None,
        "can_edit": False,
        "can_generate": False,
        "by_school": user.school_id is None,
    }
    count = None
    if user.school_id is not None:
        semesters = selectors.summary_semesters(user, kind.key)
        raw = request.GET.get("semester", "")
        if raw:
            chosen = next((s for s in semesters if str(s.pk) == raw), None)
            if chosen is None:
                raise Http404
        else:
            chosen = semesters[0] if semesters else None
        documents = documents.filter(semester=chosen) if chosen else documents.none()
        count = chosen.document_count if chosen else 0
        context.update(
            semesters=semesters,
            chosen=chosen,
            chosen_title=selectors.summary_title(chosen) if chosen else "",
            draft=chosen.draft if chosen else None,
            can_edit=user.has_perm(EDIT_PERMISSION),
            can_generate=may_make(user, kind),
        )
    page, rows = documents_page(documents, request.GET.get("page"), count=count)
    context.update(page=page, documents=rows)
    return render(request, "documents/index.html", context)


# --- The editor -----------------------------------------------------------------------------


def _placeholder_rows(placeholders):
    return [
        {"token": f"{{{p.name}}}", "value": "—" if p.value is None else p.value, "help": p.help}
        for p in placeholders
    ]


def _names_key(school, semester):
    return f"houqin:summary-names:{school.pk}:{semester.pk}"


def _placeholder_names(school, semester):
    """The names a narrative of the semester may use (see ``NAMES_SECONDS``)."""
    key = _names_key(school, semester)
    names = cache.get(key)
    if names is None:
        sections = selectors.section_figures(school, semester)
        names = set(selectors.placeholder_values(school, semester, sections))
        cache.set(key, names, NAMES_SECONDS)
    return names


def _editor(request, school, semester, form, *, errors=None, status=200):
    """The editor page for ``form`` (bound: what was posted, kept as it was typed)."""
    sections = selectors.section_figures(school, semester)
    names = selectors.placeholder_values(school, semester, sections)
    cache.set(_names_key(school, semester), set(names), NAMES_SECONDS)
    by_section = {section.key: placeholders for section, _f, placeholders in sections}
    general = _placeholder_rows(selectors.general_placeholders(school, semester))
    errors = errors or {}
    rows = []
    for name, part, section in form.parts:
        field = form[name]
        value = field.value() or ""
        rows.append(
            {
                "name": name,
                "title": field.label,
                "value": value,
                "is_section": part == "section",
                "placeholders": (
                    _placeholder_rows(by_section.get(section, ())) if part == "section" else []
                ),
                "status": {
                    "errors": errors.get(name, []),
                    "problems": [str(p) for p in narrative.check(value, names)],
                },
            }
        )
    draft = (
        SummaryDraft.objects.filter(school=school, semester=semester)
        .select_related("updated_by")
        .first()
    )
    return render(
        request,
        "documents/editor.html",
        {
            "title": _("Edit the summary: %(title)s")
            % {"title": selectors.summary_title(semester)},
            "semester": semester,
            "draft": draft,
            "rows": rows,
            "general": general,
            "has_errors": bool(errors),
            "max_text": selectors.MAX_TEXT,
            "can_generate": may_make(request.user, _summary_kind()),
        },
        status=status,
    )


def _save_all(request, school, semester, form):
    """Save every posted part; ``{field name: [messages]}`` of those refused."""
    form.is_valid()
    errors = {}
    for name, part, section, text in form.texts():
        try:
            services.summary_draft_save(
                school=school,
                semester=semester,
                actor=request.user,
                part=part,
                text=text,
                section=section,
            )
        except ValidationError as exc:
            errors[name] = exc.messages
    return errors


def _form(school, semester, data=None):
    parts = selectors.text_parts(selectors.draft_for(school, semester))
    return SummaryTextForm(data, parts=parts)


@login_required
@permission_required(EDIT_PERMISSION, raise_exception=True)
def summary_edit(request, semester_id):
    school = _school(request)
    semester = _semester(request, semester_id)
    return _editor(request, school, semester, _form(school, semester))


@login_required
@permission_required(EDIT_PERMISSION, raise_exception=True)
@require_POST
def summary_save(request, semester_id):
    """htmx (``?part=<field name>``): save that part, answer with its status (saved at,
    or the problems of its placeholders). A plain post: save every part, back to the
    editor (with the refused parts' text kept and their errors shown)."""
    school = _school(request)
    semester = _semester(request, semester_id)
    if getattr(request, "htmx", False):
        name = request.GET.get("part", "")
        part, section = parse_field(name)
        text = request.POST.get(name, "")
        try:
            draft = services.summary_draft_save(
                school=school,
                semester=semester,
                actor=request.user,
                part=part,
                text=text,
                section=section,
            )
        except ValidationError as exc:
            status = {"errors": exc.messages}
        else:
            names = _placeholder_names(school, semester)
            status = {
                "saved_at": draft.updated_at,
                "problems": [str(p) for p in narrative.check(text, names)],
            }
        return render(request, "documents/editor.html#save-status", {"status": status})
    form = _form(school, semester, request.POST)
    errors = _save_all(request, school, semester, form)
    if errors:
        messages.error(request, _("Some parts were not saved: see below."))
        return _editor(request, school, semester, form, errors=errors)
    messages.success(request, _("The summary's text is saved."))
    return redirect("summary_edit", semester.pk)


# --- Generating -------------------------------------------------------------------------------


@login_required
@permission_required("logistics.add_document", raise_exception=True)
@require_POST
def summary_generate(request, semester_id):
    """Ask for the PDF (a second click while it is made joins that run). From the editor
    the texts posted with it are saved first, so nothing typed is lost."""
    school = _school(request)
    semester = _semester(request, semester_id)
    from_editor = request.POST.get("from") == "editor"
    if from_editor and request.user.has_perm(EDIT_PERMISSION):
        form = _form(school, semester, request.POST)
        errors = _save_all(request, school, semester, form)
        if errors:
            messages.error(request, _("Some parts were not saved: see below."))
            return _editor(request, school, semester, form, errors=errors)
    try:
        document, created = services.summary_request(
            school=school, semester=semester, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, _("The PDF was not made: correct the text first."))
        for message in exc.messages:
            messages.error(request, message)
        if from_editor:
            return redirect("summary_edit", semester.pk)
        return redirect(f"{reverse('summary_index')}?semester={semester.pk}")
    if not created:
        messages.info(request, _("This summary is already being made: here is its progress."))
    return redirect("summary_document", document.pk)
