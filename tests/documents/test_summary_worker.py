"""The demo semester's summary made by a real Celery worker (Redis broker): the PDF
carries an embedded CJK font (``pdffonts``) and its figures equal the selectors'
(``pdftotext``); a second request while it runs joins it."""

import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from logistics.choices import Role
from logistics.documents.models import Document, DocumentStatus
from logistics.documents.services.summary import summary_draft_save, summary_request
from logistics.models import School, Semester, User
from logistics.repairs.selectors.stats import repair_stats
from safety.selectors.stats import safety_stats
from tests.conftest import redis_url
from tests.framework.test_celery_redis import (
    TaskTracker,
    celery_broker,
    running_worker,
    wait_until,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing"),
]


def pdf_text(path):
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_fonts(path):
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_the_demo_summary_is_made_by_a_worker(settings):
    call_command("seed_demo", verbosity=0)
    school = (
        School.objects.get(code="wjsy")
        if School.objects.filter(code="wjsy").exists()
        else (School.objects.order_by("pk").first())
    )
    semester = Semester.objects.get(school=school, is_current=True)
    office = User.objects.filter(school=school, groups__name=Role.GENERAL_AFFAIRS).first()
    summary_draft_save(
        school=school,
        semester=semester,
        actor=office,
        part="section",
        section="repairs",
        text="本学期共受理报修单{报修单总数}次。",
    )
    summary_draft_save(
        school=school,
        semester=semester,
        actor=office,
        part="section",
        section="safety",
        text="共排查隐患{隐患总数}处，已整改{已整改隐患数}处，整改率为{整改率}。",
    )
    with TaskTracker() as tracker, celery_broker(redis_url()), running_worker(tracker):
        document, created = summary_request(school=school, semester=semester, actor=office)
        joined, created_again = summary_request(school=school, semester=semester, actor=office)
        assert created and not created_again and joined.pk == document.pk
        tracker.wait_for("logistics.tasks.document_render", 1, timeout=120)
        wait_until(
            lambda: (
                Document.objects.get(pk=document.pk).status
                in (DocumentStatus.DONE, DocumentStatus.FAILED)
            ),
            "the summary was not made",
            timeout=120,
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.DONE, document.error
    assert Document.objects.count() == 1
    path = document.file.path

    fonts = pdf_fonts(path)
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts

    text = re.sub(r"[ \t]+", " ", pdf_text(path))
    repairs = repair_stats(school, semester.start_date, semester.end_date)
    safety = safety_stats(school, semester.start_date, semester.end_date)
    hazards = safety["hazards"]
    assert repairs["total"] > 0 and hazards["found"] > 0
    flat = text.replace(" ", "")
    assert f"本学期共受理报修单{repairs['total']}次" in flat
    assert f"共排查隐患{hazards['found']}处，已整改{hazards['rectified']}处" in flat
    assert f"整改率为{hazards['rate']}%" in flat or f"整改率为{hazards['rate']}" in flat
    assert "后勤工作总结" in flat and school.name in flat
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text)
