"""Printed documents and the summary's text: the narrative's placeholders, asking for a
document (a second request joins), making it (status and progress recorded), a failure
and its retry (one file), a run that stopped, and saving the summary's text; what a
document is of (the kind's choices, its language), the fingerprint that gives the ready
version until the records change, permissions as alternatives, and the time limits of a
run (the document limit, not the in-request one; given up after the task's hard limit;
a run given up that finishes late changes nothing)."""

import datetime
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from logistics.choices import Role
from logistics.common.registry import registry
from logistics.documents import narrative, selectors
from logistics.documents.models import Document, DocumentStatus, SummaryDraft
from logistics.documents.services import documents as services
from logistics.documents.services.summary import summary_draft_save, summary_request
from logistics.models import StatusChange
from tests import factories

GA = Role.GENERAL_AFFAIRS


# --- The narrative --------------------------------------------------------------------------


def test_placeholders_are_filled_and_lines_become_paragraphs_and_lists():
    text = "本学期报修单共{总数}次。\n\n- 水工{水工}次\n- 电工{{暂无}}\n结束"
    blocks = narrative.blocks(text, {"总数": 128, "水工": 40})
    assert blocks == [
        {"kind": "p", "text": "本学期报修单共128次。"},
        {"kind": "ul", "items": ["水工40次", "电工{暂无}"]},
        {"kind": "p", "text": "结束"},
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共{未知}次", ["unknown placeholder {未知}"]),
        ("第一行\n共{ 总数 }次 {", ["a brace without its pair"]),
        ("{}", ["an empty or too long placeholder name"]),
        ("{" + "长" * 41 + "}", ["an empty or too long placeholder name"]),
    ],
)
def test_problems_are_found_with_their_line(text, expected):
    with translation.override("en"):
        problems = narrative.check(text, {"总数"})
    assert [str(p.message).split(" (")[0] for p in problems] == expected
    with pytest.raises(narrative.NarrativeError):
        narrative.blocks(text, {"总数": 1})


def test_a_problem_names_its_line():
    [problem] = narrative.check("好\n共{未知}次", {"总数"})
    assert problem.line == 2
    assert "2" in str(problem)


def test_none_prints_as_a_dash_never_a_blank():
    assert narrative.blocks("平均{评分}分", {"评分": None}) == [{"kind": "p", "text": "平均—分"}]


def test_used_lists_the_names():
    assert narrative.used("{a}{b} {{c}} {a}") == {"a", "b"}


# --- Set-up ---------------------------------------------------------------------------------


@pytest.fixture
def school():
    school = factories.SchoolFactory()
    return school


@pytest.fixture
def semester(school):
    return factories.SemesterFactory(
        school=school,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 1, 31),
        is_current=True,
    )


@pytest.fixture
def ga(school):
    return factories.user_with_role(GA, school=school)


def changes(document):
    return list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Document), object_id=document.pk
        ).values_list("from_status", "to_status", "actor_id")
    )


def files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*.pdf")) if root.exists() else []


# --- Asking for a document ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_request_joins_the_first(school, semester, ga, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        first, created = summary_request(school=school, semester=semester, actor=ga)
        second, created_again = summary_request(school=school, semester=semester, actor=ga)
    assert created and not created_again
    assert first.pk == second.pk
    assert first.status == DocumentStatus.QUEUED and first.version == 1
    assert len(queued) == 1  # one run enqueued
    assert changes(first) == [("", "queued", ga.pk)]


@pytest.mark.django_db
def test_a_document_is_made_with_its_versions(
    school, semester, ga, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document, _created = summary_request(school=school, semester=semester, actor=ga)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE, document.error
    assert document.progress == 100
    assert document.pages >= 1 and document.size > 1000
    with document.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert document.started_at <= document.finished_at
    assert [c[:2] for c in changes(document)] == [
        ("", "queued"),
        ("queued", "running"),
        ("running", "done"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again, created = summary_request(school=school, semester=semester, actor=ga)
    assert created and again.version == 2
    assert len(files(settings)) == 2  # each version keeps its file


@pytest.mark.django_db
def test_a_delivered_twice_task_makes_it_once(school, semester, ga):
    document, _ = services.document_request(
        kind=selectors.SUMMARY_KIND,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=ga,
    )
    assert services.document_render(document.pk).status == DocumentStatus.DONE
    assert services.document_render(document.pk) is None
    document.refresh_from_db()
    assert document.attempts == 1
    with pytest.raises(ValidationError):  # a ready one is not made again: a new version is
        services.document_retry(document=document, actor=ga)


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_a_retry_leaves_one_file(
    school, semester, ga, settings, monkeypatch
):
    kind = registry.document_kinds[selectors.SUMMARY_KIND]
    original = kind.context
    calls = []

    def broken(document, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return original(document, **kwargs)

    monkeypatch.setitem(
        registry.document_kinds,
        kind.key,
        type(kind)(**{**kind.__dict__, "context": broken}),
    )
    document, _ = services.document_request(
        kind=kind.key,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=ga,
    )
    failed = services.document_render(document.pk)
    assert failed.status == DocumentStatus.FAILED
    assert "the database went away" in failed.error
    retried = services.document_retry(document=failed, actor=ga)
    assert retried.status == DocumentStatus.QUEUED and retried.version == 1
    done = services.document_render(document.pk)
    assert done.status == DocumentStatus.DONE and done.attempts == 2 and done.error == ""
    assert len(files(settings)) == 1
    assert [c[1] for c in changes(document)] == [
        "queued",
        "running",
        "failed",
        "queued",
        "running",
        "done",
    ]


@pytest.mark.django_db
def test_a_run_that_stopped_is_failed_by_the_tick_and_its_retry_replaces_the_file(
    school, semester, ga, settings
):
    document, _ = services.document_request(
        kind=selectors.SUMMARY_KIND,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=ga,
    )
    services.document_render(document.pk)
    assert len(files(settings)) == 1
    # The worker was killed after writing the file, before it said so.
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, started_at=long_ago
    )
    # Until the tick notices, a new request would start over rather than wait forever.
    services.documents_resume(timezone.now())
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED
    assert document.error  # the run stopped without finishing
    services.document_retry(document=document, actor=ga)
    assert services.document_render(document.pk).status == DocumentStatus.DONE
    assert len(files(settings)) == 1


@pytest.mark.django_db
def test_a_document_left_queued_is_enqueued_again_by_the_tick(school, semester, ga, monkeypatch):
    sent = []
    monkeypatch.setattr(services, "_enqueue", lambda document: sent.append(document.pk))
    document, _ = services.document_request(
        kind=selectors.SUMMARY_KIND,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=ga,
    )
    services.documents_resume(timezone.now())
    assert sent == [document.pk]  # the request's own, not yet old
    later = timezone.now() + services.REQUEUE_AFTER + datetime.timedelta(seconds=1)
    services.documents_resume(later)
    assert sent == [document.pk, document.pk]


@pytest.mark.django_db
def test_only_general_affairs_may_ask(school, semester):
    principal = factories.user_with_role(Role.PRINCIPAL, school=school)
    with pytest.raises(PermissionDenied):
        summary_request(school=school, semester=semester, actor=principal)
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_another_schools_semester_is_refused(school, ga):
    other = factories.SemesterFactory()
    with pytest.raises(PermissionDenied):
        summary_request(school=school, semester=other, actor=ga)
    with pytest.raises(PermissionDenied):
        summary_draft_save(school=school, semester=other, actor=ga, part="opening", text="x")


# --- The summary's text ---------------------------------------------------------------------


@pytest.mark.django_db
def test_parts_are_saved_apart(school, semester, ga):
    other = factories.user_with_role(GA, school=school)
    summary_draft_save(school=school, semester=semester, actor=ga, part="opening", text="开篇")
    summary_draft_save(
        school=school,
        semester=semester,
        actor=other,
        part="section",
        section="repairs",
        text="维修{学校}",
    )
    draft = SummaryDraft.objects.get()
    assert draft.text("opening") == "开篇"
    assert draft.text("section", "repairs") == "维修{学校}"
    assert draft.updated_by == other and draft.revision == 2


@pytest.mark.django_db
def test_an_unknown_part_or_section_or_a_long_text_is_refused(school, semester, ga):
    for kwargs in ({"part": "ending"}, {"part": "section", "section": "nothing"}):
        with pytest.raises(ValidationError):
            summary_draft_save(school=school, semester=semester, actor=ga, text="x", **kwargs)
    with pytest.raises(ValidationError, match="20000"):
        summary_draft_save(
            school=school, semester=semester, actor=ga, part="plans", text="长" * 20_001
        )
    assert not SummaryDraft.objects.exists()


@pytest.mark.django_db
def test_an_unknown_placeholder_is_kept_in_the_draft_and_refuses_the_pdf(school, semester, ga):
    summary_draft_save(
        school=school, semester=semester, actor=ga, part="problems", text="一\n共{不存在}次"
    )
    with pytest.raises(ValidationError) as error:
        summary_request(school=school, semester=semester, actor=ga)
    [message] = error.value.messages
    assert "{不存在}" in message and "2" in message
    assert not Document.objects.exists()
    assert SummaryDraft.objects.get().text("problems") == "一\n共{不存在}次"


@pytest.mark.django_db
def test_the_document_prints_the_texts_with_their_figures(school, semester, ga):
    summary_draft_save(
        school=school, semester=semester, actor=ga, part="opening", text="{学校}{学年}学年总结"
    )
    document = Document(
        kind=selectors.SUMMARY_KIND,
        school=school,
        semester=semester,
        period_start=semester.start_date,
        period_end=semester.end_date,
        version=0,
    )
    context = selectors.summary_context(document)
    assert context["opening"] == [{"kind": "p", "text": f"{school.name}2026~2027学年总结"}]
    assert [s["section"].key for s in context["sections"]] == [
        s.key for s in registry.summary_sections()
    ]
    assert context["problems"]["numeral"] == selectors.chinese_number(len(context["sections"]) + 1)


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (34, "三十四")]
)
def test_chinese_numbers(n, text):
    assert selectors.chinese_number(n) == text


# --- What a document is of: choices, language, fingerprint --------------------------------


def patched_kind(monkeypatch, **changes):
    """The summary kind with ``changes`` (a kind with choices, a fingerprint…)."""
    kind = registry.document_kinds[selectors.SUMMARY_KIND]
    changed = type(kind)(**{**kind.__dict__, **changes})
    monkeypatch.setitem(registry.document_kinds, kind.key, changed)
    return changed


def ask(school, semester, ga, **kwargs):
    return services.document_request(
        kind=selectors.SUMMARY_KIND,
        school=school,
        start=semester.start_date,
        end=semester.end_date,
        semester=semester,
        actor=ga,
        **kwargs,
    )


@pytest.mark.django_db
def test_choices_and_language_are_part_of_what_a_document_is(school, semester, ga, monkeypatch):
    def clean(school, params):
        if set(params) - {"part"}:
            raise ValidationError("no such choice")
        return {"part": params.get("part", "all")}

    patched_kind(monkeypatch, clean_params=clean)
    first, created = ask(school, semester, ga)
    assert created and first.params == {"part": "all"} and first.language == "zh-hans"
    # The same choices (normalised) while it is queued: joined.
    assert ask(school, semester, ga, params={"part": "all"}) == (first, False)
    # Other choices, another language: documents of their own, each its version 1.
    other, created = ask(school, semester, ga, params={"part": "repairs"})
    english, created_too = ask(school, semester, ga, language="en-us")
    assert created and created_too
    assert (other.version, english.version, english.language) == (1, 1, "en")
    assert len({first.pk, other.pk, english.pk}) == 3
    # A language the portal does not have falls back to its own.
    assert ask(school, semester, ga, language="fr")[0] == first
    with pytest.raises(ValidationError):
        ask(school, semester, ga, params={"colour": "red"})
    # The database holds it too: one in progress per kind, school, period, choices, language.
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(
            kind=first.kind,
            school=school,
            period_start=first.period_start,
            period_end=first.period_end,
            params={"part": "repairs"},
            language="zh-hans",
            version=2,
        )


@pytest.mark.django_db
def test_a_fingerprint_gives_the_ready_version_until_the_records_change(
    school, semester, ga, monkeypatch
):
    records = {"value": "a"}
    read = []
    kind = registry.document_kinds[selectors.SUMMARY_KIND]

    def context(document, **kwargs):
        read.append(records["value"])
        return kind.context(document, **kwargs)

    patched_kind(monkeypatch, fingerprint=lambda school, params: records["value"], context=context)
    first, created = ask(school, semester, ga)
    assert created and services.document_render(first.pk).status == DocumentStatus.DONE
    first.refresh_from_db()
    assert first.fingerprint == "a"
    assert ask(school, semester, ga) == (first, False)  # nothing changed: the same one
    records["value"] = "b"
    second, created = ask(school, semester, ga)
    assert created and second.version == 2
    services.document_render(second.pk)
    assert ask(school, semester, ga) == (second, False)
    assert read == ["a", "b"]


@pytest.mark.django_db
def test_a_change_while_a_run_reads_shows_at_the_next_request(school, semester, ga, monkeypatch):
    """The run records the fingerprint it computed before reading: a change made while
    it reads the records gives a fresh version at the next request, never a stale one."""
    records = {"value": "a"}
    kind = registry.document_kinds[selectors.SUMMARY_KIND]

    def context(document, **kwargs):
        records["value"] = "b"  # someone renames a room while the run reads
        return kind.context(document, **kwargs)

    patched_kind(monkeypatch, fingerprint=lambda school, params: records["value"], context=context)
    first, _created = ask(school, semester, ga)
    services.document_render(first.pk)
    first.refresh_from_db()
    assert first.fingerprint == "a"
    second, created = ask(school, semester, ga)
    assert created and second.version == 2


@pytest.mark.django_db
def test_permissions_may_be_alternatives(school, monkeypatch):
    kind = patched_kind(
        monkeypatch,
        read=(("logistics.view_document",), ("safety.view_hazard", "safety.view_inspection")),
        make=(("logistics.add_document",), ("safety.view_hazard", "safety.view_inspection")),
    )
    officer = factories.user_with_role(Role.SAFETY_OFFICER, school=school)
    staff = factories.user_with_role(Role.STAFF, school=school)
    viewer = factories.user_with_role(Role.DISTRICT_VIEWER, district=school.district)
    assert services.may_read(officer, kind) and services.may_make(officer, kind)
    assert not services.may_read(staff, kind) and not services.may_make(staff, kind)
    assert services.may_read(viewer, kind) and not services.may_make(viewer, kind)


# --- Time limits ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_renders_under_the_document_limit_not_the_request_one(
    school, semester, ga, settings
):
    settings.PDF_RENDER_TIMEOUT = 0.001  # in-request renders only
    document, _ = ask(school, semester, ga)
    assert services.document_render(document.pk).status == DocumentStatus.DONE
    settings.PDF_RENDER_TIMEOUT, settings.DOCUMENT_RENDER_TIMEOUT = 30, 0.001
    again, _ = ask(school, semester, ga)
    failed = services.document_render(again.pk)
    assert failed.status == DocumentStatus.FAILED and "0.001" in failed.error


@pytest.mark.django_db
def test_a_run_is_given_up_only_after_the_tasks_hard_limit(school, semester, ga):
    from logistics.tasks import document_render as task

    document, _ = ask(school, semester, ga)
    assert services._claim(document.pk).status == DocumentStatus.RUNNING
    started = timezone.now() - datetime.timedelta(seconds=task.time_limit)
    Document.objects.filter(pk=document.pk).update(started_at=started)
    services.documents_resume(timezone.now())
    document.refresh_from_db()
    assert document.status == DocumentStatus.RUNNING  # Celery may still be running it
    services.documents_resume(timezone.now() + datetime.timedelta(seconds=61))
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED


@pytest.mark.django_db
def test_a_run_given_up_that_finishes_later_leaves_the_newer_state(
    school, semester, ga, monkeypatch
):
    kind = registry.document_kinds[selectors.SUMMARY_KIND]

    def slow(document, **kwargs):
        # While this run reads, the tick gives it up and someone retries it.
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.QUEUED, attempts=document.attempts + 1
        )
        return kind.context(document, **kwargs)

    patched_kind(monkeypatch, context=slow)
    document, _ = ask(school, semester, ga)
    late = services.document_render(document.pk)
    assert late.status == DocumentStatus.QUEUED and not late.file
