"""Semester summary pages: the role × page matrix, the editor's autosave (one part, its
problems, an over-long text), generating the PDF (refused with the problems listed,
joined on a second click, made with eager Celery and downloaded), retrying a failed
document, and query counts that do not grow with the documents."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics.choices import Role
from logistics.documents.models import Document, DocumentStatus, SummaryDraft
from logistics.documents.selectors import MAX_TEXT, SUMMARY_KIND
from logistics.documents.services import summary as services
from tests import factories
from tests.matrix import ALL_ROLES, Page, check_page, roles

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL
DISTRICT = Role.DISTRICT_VIEWER
READERS = roles(GA, PRINCIPAL, DISTRICT)
HTMX = {"HTTP_HX_REQUEST": "true"}


def semester(school, **kwargs):
    kwargs.setdefault("is_current", True)
    return factories.SemesterFactory(school=school, **kwargs)


def document(school, status=DocumentStatus.DONE, *, term=None, version=None, **kwargs):
    """A summary document of ``school`` (made directly: no rendering)."""
    term = term or semester(school)
    version = version or (
        Document.objects.filter(kind=SUMMARY_KIND, school=school, semester=term).count() + 1
    )
    doc = Document.objects.create(
        kind=SUMMARY_KIND,
        school=school,
        semester=term,
        period_start=term.start_date,
        period_end=term.end_date,
        version=version,
        status=status,
        progress=100 if status == DocumentStatus.DONE else 0,
        **kwargs,
    )
    if status == DocumentStatus.DONE:
        name = default_storage.save(f"documents/test-{doc.pk}.pdf", ContentFile(b"%PDF-1.7 x"))
        doc.file.name = name
        doc.pages, doc.size = 1, 10
        doc.save()
    return doc


def _semester_kwargs(school):
    return {"semester_id": semester(school).pk}


def _done(school):
    return {"pk": document(school).pk}


def _failed(school):
    return {"pk": document(school, DocumentStatus.FAILED, error="boom").pk}


PAGES = [
    Page("summary_index", READERS),
    Page("summary_edit", roles(GA), kwargs=_semester_kwargs),
    Page(
        "summary_save",
        roles(GA),
        kwargs=_semester_kwargs,
        method="post",
        data=lambda kwargs: {"opening": "开头"},
        ok=302,
    ),
    Page("summary_generate", roles(GA), kwargs=_semester_kwargs, method="post", ok=302),
    Page("summary_document", READERS, kwargs=_done),
    Page("summary_document_status", READERS, kwargs=_done),
    Page("summary_download", READERS, kwargs=_done, pdf=True),
    Page("summary_retry", roles(GA), kwargs=_failed, method="post", ok=302),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


@pytest.fixture
def term(school):
    return semester(school)


@pytest.fixture
def principal_client(client, make_user, school):
    client.force_login(make_user(PRINCIPAL, school))
    return client


# --- The list -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_index_lists_current_semester_first_and_its_versions(ga_client, school):
    old = semester(school, is_current=False, academic_year=2025, term=2)
    old = type(old).objects.get(pk=old.pk)
    current = semester(
        school, start_date=datetime.date(2027, 2, 20), end_date=datetime.date(2027, 7, 10), term=2
    )
    document(school, term=current)
    document(school, DocumentStatus.FAILED, term=current, error="boom")
    document(school, term=old)
    response = ga_client.get(reverse("summary_index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(current.label) < html.index(old.label)
    assert response.context["chosen"] == current
    assert len(response.context["documents"]) == 2
    assert 'data-testid="retry"' in html and 'data-testid="download"' in html
    assert reverse("summary_edit", args=[current.pk]) in html
    assert reverse("summary_generate", args=[current.pk]) in html
    # Another semester of the school; another school's is not found.
    response = ga_client.get(reverse("summary_index"), {"semester": old.pk})
    assert len(response.context["documents"]) == 1
    foreign = semester(factories.SchoolFactory())
    assert ga_client.get(reverse("summary_index"), {"semester": foreign.pk}).status_code == 404


@pytest.mark.django_db
def test_index_empty_states(client, make_user, school):
    client.force_login(make_user(GA, school))
    response = client.get(reverse("summary_index"))
    assert response.status_code == 200 and 'data-testid="empty"' in response.content.decode()
    semester(school)
    response = client.get(reverse("summary_index"))
    assert 'data-testid="empty"' in response.content.decode()
    assert 'data-testid="generate"' in response.content.decode()


@pytest.mark.django_db
def test_principal_reads_without_writing(principal_client, school, term):
    document(school, term=term)
    html = principal_client.get(reverse("summary_index")).content.decode()
    assert 'data-testid="download"' in html
    assert 'data-testid="generate"' not in html and 'data-testid="edit"' not in html


@pytest.mark.django_db
def test_district_viewer_sees_own_districts_documents(client, make_user, school):
    mine = document(school)
    neighbour = document(factories.SchoolFactory(district=school.district))
    foreign = document(factories.SchoolFactory())
    client.force_login(make_user(DISTRICT, school))
    response = client.get(reverse("summary_index"))
    shown = {d.pk for d in response.context["documents"]}
    assert shown == {mine.pk, neighbour.pk}
    assert school.name in response.content.decode()
    assert client.get(reverse("summary_download", args=[neighbour.pk])).status_code == 200
    assert client.get(reverse("summary_document", args=[foreign.pk])).status_code == 404


# --- The editor ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_editor_shows_every_part_and_the_placeholders(ga_client, school, term):
    response = ga_client.get(reverse("summary_edit", args=[term.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("opening", "section-repairs", "problems", "plans"):
        assert f'name="{name}"' in html
    assert 'hx-trigger="input changed delay:800ms"' in html
    assert "{学校}" in html and school.name in html


@pytest.mark.django_db
def test_autosave_saves_one_part_and_reports_problems(ga_client, school, term, general_affairs):
    services.summary_draft_save(
        school=school, semester=term, actor=general_affairs, part="plans", text="计划"
    )
    url = reverse("summary_save", args=[term.pk]) + "?part=section-repairs"
    response = ga_client.post(url, {"section-repairs": "本学期{学校}维修。"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="saved"' in html and 'data-testid="problems"' not in html
    draft = SummaryDraft.objects.get(school=school, semester=term)
    assert draft.text("section", "repairs") == "本学期{学校}维修。"
    assert draft.text("plans") == "计划"  # the other parts are untouched

    text = "第一行\n共{不存在的数}次"
    response = ga_client.post(url, {"section-repairs": text}, **HTMX)
    html = response.content.decode()
    assert 'data-testid="problems"' in html
    assert ("Line 2" in html or "第 2 行" in html) and "{不存在的数}" in html
    draft.refresh_from_db()
    assert draft.text("section", "repairs") == text  # kept: the editor shows the problem

    # The editor shows the problem on load too, beside that part.
    html = ga_client.get(reverse("summary_edit", args=[term.pk])).content.decode()
    assert "{不存在的数}" in html and 'data-testid="problems"' in html


@pytest.mark.django_db
def test_oversize_text_is_refused_and_kept(ga_client, school, term):
    long = "字" * (MAX_TEXT + 1)
    url = reverse("summary_save", args=[term.pk])
    response = ga_client.post(url + "?part=opening", {"opening": long}, **HTMX)
    assert response.status_code == 200
    assert 'data-testid="save-error"' in response.content.decode()
    assert not SummaryDraft.objects.filter(school=school, semester=term).exists()

    # Without JavaScript: the other parts are saved, the long one stays in its textarea.
    response = ga_client.post(url, {"opening": long, "plans": "计划", "problems": "问题"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="save-error"' in html and long in html
    draft = SummaryDraft.objects.get(school=school, semester=term)
    assert draft.text("plans") == "计划" and draft.text("opening") == ""


@pytest.mark.django_db
def test_plain_post_saves_every_part(ga_client, school, term):
    response = ga_client.post(
        reverse("summary_save", args=[term.pk]),
        {"opening": "开头", "section-repairs": "维修", "problems": "问题", "plans": "计划"},
    )
    assert response.status_code == 302
    draft = SummaryDraft.objects.get(school=school, semester=term)
    assert draft.texts == {
        "opening": "开头",
        "sections": {"repairs": "维修"},
        "problems": "问题",
        "plans": "计划",
    }


# --- Generating ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_generate_makes_a_pdf_and_downloads(
    ga_client, client, make_user, school, term, general_affairs, django_capture_on_commit_callbacks
):
    services.summary_draft_save(
        school=school,
        semester=term,
        actor=general_affairs,
        part="section",
        section="repairs",
        text="{学校}本学期的维修工作。",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = ga_client.post(reverse("summary_generate", args=[term.pk]))
    doc = Document.objects.get(school=school, kind=SUMMARY_KIND)
    assert response.status_code == 302
    assert response.url == reverse("summary_document", args=[doc.pk])
    assert doc.status == DocumentStatus.DONE, doc.error
    assert doc.file and doc.pages and doc.size

    page = ga_client.get(response.url).content.decode()
    assert 'data-testid="download"' in page and 'hx-trigger="every 1s"' not in page

    client.force_login(make_user(PRINCIPAL, school))
    download = client.get(reverse("summary_download", args=[doc.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.django_db
def test_generate_refused_with_the_problems_listed(ga_client, school, term):
    ga_client.post(
        reverse("summary_save", args=[term.pk]) + "?part=plans",
        {"plans": "下学期{未知}"},
        **HTMX,
    )
    response = ga_client.post(reverse("summary_generate", args=[term.pk]), follow=True)
    html = response.content.decode()
    assert not Document.objects.filter(school=school).exists()
    assert "{未知}" in html and "alert-danger" in html
    # From the editor: the posted texts are saved first and the editor is shown again.
    response = ga_client.post(
        reverse("summary_generate", args=[term.pk]),
        {"from": "editor", "opening": "开头{也未知}", "plans": "下学期{未知}"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("summary_edit", args=[term.pk])
    html = response.content.decode()
    assert "{也未知}" in html and "开头{也未知}" in html
    assert SummaryDraft.objects.get(school=school, semester=term).text("opening") == "开头{也未知}"
    assert not Document.objects.filter(school=school).exists()


@pytest.mark.django_db
def test_double_submit_joins_the_running_document(ga_client, school, term):
    # No on_commit execution: the first stays queued, as while a worker makes it.
    first = ga_client.post(reverse("summary_generate", args=[term.pk]))
    second = ga_client.post(reverse("summary_generate", args=[term.pk]))
    assert Document.objects.filter(school=school, kind=SUMMARY_KIND).count() == 1
    assert first.url == second.url
    page = ga_client.get(first.url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    status = ga_client.get(first.url + "status/", **HTMX)
    assert status.status_code == 200 and 'data-status="queued"' in status.content.decode()


@pytest.mark.django_db
def test_retry_of_a_failed_document(
    ga_client, school, term, general_affairs, django_capture_on_commit_callbacks
):
    failed = document(school, DocumentStatus.FAILED, term=term, error="font missing")
    page = ga_client.get(reverse("summary_document", args=[failed.pk])).content.decode()
    assert "font missing" in page and 'data-testid="retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = ga_client.post(reverse("summary_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DocumentStatus.DONE, failed.error
    assert failed.version == 1 and failed.attempts == 1
    download = ga_client.get(reverse("summary_download", args=[failed.pk]))
    assert download.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_download_of_a_document_not_ready_is_not_found(ga_client, school, term):
    queued = document(school, DocumentStatus.QUEUED, term=term)
    assert ga_client.get(reverse("summary_download", args=[queued.pk])).status_code == 404


# --- Query counts -------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_documents(client, make_user, settings):
    settings.DEBUG = False
    index, detail = [], []
    for n in (2, 12):
        school = factories.SchoolFactory()
        user = make_user(GA, school)
        term = semester(school)
        services.summary_draft_save(
            school=school, semester=term, actor=user, part="opening", text="开头"
        )
        docs = [
            document(
                school,
                DocumentStatus.FAILED if i % 3 == 0 else DocumentStatus.DONE,
                term=term,
                requested_by=user,
            )
            for i in range(n)
        ]
        client.force_login(user)
        index.append(count_queries(client, reverse("summary_index")))
        detail.append(count_queries(client, reverse("summary_document", args=[docs[-1].pk])))
    assert index[0] == index[1], index
    assert detail[0] == detail[1], detail
    assert index[1] <= 12 and detail[1] <= 10, (index, detail)


@pytest.mark.django_db
def test_menu_shows_the_summary_to_readers(client, make_user, school):
    client.force_login(make_user(PRINCIPAL, school))
    assert reverse("summary_index") in client.get(reverse("home")).content.decode()
    client.force_login(make_user(Role.STAFF, school))
    assert reverse("summary_index") not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_index_reads_the_semesters_drafts_and_counts_in_one_statement(client, make_user):
    """The list of summaries: its statements are as many for many semesters with drafts
    and versions as for one, and it shows who saved the chosen semester's text last."""
    counts = []
    for n in (1, 6):
        school = factories.SchoolFactory()
        user = make_user(GA, school, name="王老师")
        terms = [semester(school, is_current=i == n - 1, academic_year=2020 + i) for i in range(n)]
        for i, term in enumerate(terms):
            services.summary_draft_save(
                school=school, semester=term, actor=user, part="opening", text="开头"
            )
            for j in range(n):
                document(school, term=term, requested_by=user, version=i * n + j + 1)
        client.force_login(user)
        counts.append(count_queries(client, reverse("summary_index")))
        response = client.get(reverse("summary_index"))
        assert response.context["chosen"] == terms[-1]
        assert len(response.context["documents"]) == n
        assert "王老师" in response.content.decode()
    assert counts[0] == counts[1], counts
