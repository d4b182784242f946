"""Imports outside the request: a real Celery worker (Redis broker) runs the job the page
queued, and another connection sees the job's progress while its rows are checked but
none of its rows until they are all written (one transaction).

Transactional: the worker and the second connection read only what was committed.
"""

import pytest
from django.db import connection

from logistics.choices import Role
from logistics.models import ImportJob, Room
from logistics.services import imports
from tests import factories
from tests.conftest import redis_url
from tests.framework.test_celery_redis import (
    TaskTracker,
    celery_broker,
    run_in_threads,
    running_worker,
    wait_until,
)
from tests.xlsx_files import xlsx

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOMS = "/setup/rooms/import/"


@pytest.fixture
def office(client):
    school = factories.SchoolFactory()
    factories.BuildingFactory(school=school, name="求真楼", floors_above=5)
    user = factories.user_with_role(Role.GENERAL_AFFAIRS, school=school)
    client.force_login(user)
    return client


def rooms_file(count):
    return xlsx([["楼宇", "楼层", "房间号"], *[["求真楼", 1, f"R{n:04d}"] for n in range(count)]])


def elsewhere(read):
    """``read()`` on another thread, hence another database connection."""
    [result] = run_in_threads(read)
    return result


def test_progress_is_seen_while_checking_and_rows_only_once_all_are_written(office, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY_ROWS", 5)
    seen = {}
    check, write = imports.RoomImporter.check, imports.RoomImporter.write

    def spy_check(importer, row):
        if row.number == 13:  # 11 rows checked, 10 of them reported
            seen["checking_in_transaction"] = connection.in_atomic_block
            seen["progress"] = elsewhere(
                lambda: ImportJob.objects.values_list("status", "rows_checked", "rows_total").get()
            )
        return check(importer, row)

    def spy_write(importer, checked):
        result = write(importer, checked)
        seen["writing_in_transaction"] = connection.in_atomic_block
        seen["rooms_while_writing"] = elsewhere(lambda: Room.objects.count())
        return result

    monkeypatch.setattr(imports.RoomImporter, "check", spy_check)
    monkeypatch.setattr(imports.RoomImporter, "write", spy_write)
    response = office.post(ROOMS, {"file": rooms_file(30)})  # eager: runs on commit
    assert response.status_code == 302
    assert seen == {
        "checking_in_transaction": False,
        "progress": ("running", 10, 30),
        "writing_in_transaction": True,
        "rooms_while_writing": 0,
    }
    job = ImportJob.objects.get()
    assert (job.status, job.created_count) == ("done", 30)
    assert Room.objects.count() == 30


@pytest.mark.redis
def test_a_worker_runs_the_job_the_page_queued(office):
    with TaskTracker() as tracker, celery_broker(redis_url()), running_worker(tracker):
        response = office.post(ROOMS, {"file": rooms_file(40)})
        assert response.status_code == 302
        job = ImportJob.objects.get()
        tracker.wait_for("logistics.tasks.import_run", 1)
        wait_until(
            lambda: ImportJob.objects.get(pk=job.pk).status in ("done", "failed"),
            "the import did not end",
        )
    assert "logistics.tasks.import_run" in tracker.published
    job.refresh_from_db()
    assert (job.status, job.created_count, job.rows_checked) == ("done", 40, 40)
    assert Room.objects.count() == 40
    page = office.get(response["Location"]).content.decode()
    assert "新增 40" in page and f'hx-get="{ROOMS}{job.pk}/status/"' not in page
