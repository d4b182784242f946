"""The general affairs office sets up a building and a room, and imports rooms from an
xlsx, on a phone."""

import re

import pytest
from playwright.sync_api import expect

from logistics.common import queue
from logistics.models import Building, Campus, ImportJob, Room
from logistics.services.imports import import_run
from tests.xlsx_files import XLSX, workbook_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def double_tap_save(page, url_pattern):
    """Tap Save, hold its POST in flight, tap again: exactly one POST may leave."""
    held = []

    def hold(route):
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(url_pattern, hold)
    save = page.locator("main form[data-once] button[type=submit]")
    save.scroll_into_view_if_needed()
    box = save.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Touch taps, not locator clicks: those wait for the (held) navigation to finish.
    page.touchscreen.tap(x, y)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the first tap on Save sent no POST"
    page.touchscreen.tap(x, y)
    page.wait_for_timeout(300)  # time for a second POST to reach the route
    posts = len(held)
    with page.expect_navigation():
        held[-1].continue_()
    page.unroute(url_pattern, hold)
    assert posts == 1, f"a second tap on Save sent {posts} POSTs (data-once not working?)"


def test_general_affairs_adds_a_building_and_a_room_on_a_phone(
    phone, live_server, demo, problems, sign_in, zh, assert_fits_viewport
):
    sign_in(phone, "zongwu", demo.password)
    sidebar = phone.locator("#sidebar")

    def menu(label):
        """Open the hamburger menu and follow one of its links."""
        expect(sidebar).to_be_hidden()
        phone.locator("button[aria-controls=sidebar]").click()
        expect(sidebar).to_be_visible()
        with phone.expect_navigation():
            sidebar.get_by_role("link", name=label, exact=True).click()

    # Buildings, from the menu.
    menu(zh("Buildings"))
    expect(phone).to_have_url(live_server.url + "/setup/buildings/")
    expect(phone.locator("main h1")).to_have_text(zh("Buildings"))
    assert_fits_viewport(phone)

    # A new building. Save is tapped twice on a slow connection: the first POST is held in
    # flight while the second tap lands, and data-once (static/js/houqin.js) must stop the
    # second. (A plain dblclick proves nothing: Chromium merges two submissions made in
    # the same task, so it sends one POST even without data-once.)
    phone.locator('main a[href="/setup/buildings/new/"]').first.click()
    expect(phone).to_have_url(live_server.url + "/setup/buildings/new/")
    campus = Campus.objects.get(school=demo.school, name="本部")
    phone.fill("#id_name", "博学楼")
    phone.fill("#id_code", "BX")
    phone.select_option("#id_campus", str(campus.pk))
    phone.fill("#id_floors_above", "3")
    phone.fill("#id_floors_below", "0")
    expect(phone.locator("#id_is_active")).to_be_checked()
    assert_fits_viewport(phone)
    double_tap_save(phone, "**/setup/buildings/new/")

    expect(phone).to_have_url(live_server.url + "/setup/buildings/")
    expect(phone.locator("main .alert-success")).to_be_visible()
    expect(
        phone.locator("main table").get_by_role("link", name="博学楼", exact=True)
    ).to_be_visible()
    building = Building.objects.get(school=demo.school, name="博学楼")
    assert (building.code, building.campus, building.floors_above) == ("BX", campus, 3)
    assert Building.objects.filter(school=demo.school, name="博学楼").count() == 1
    problems.assert_none(phone, "adding a building")

    # A room in it, from the rooms page.
    menu(zh("Rooms"))
    expect(phone).to_have_url(live_server.url + "/setup/rooms/")
    phone.locator('main a[href="/setup/rooms/new/"]').first.click()
    expect(phone).to_have_url(live_server.url + "/setup/rooms/new/")
    phone.select_option("#id_building", str(building.pk))
    phone.fill("#id_floor", "2")
    phone.fill("#id_number", "201")
    phone.fill("#id_name", "阅览室")
    phone.select_option("#id_kind", "office")
    phone.fill("#id_capacity", "40")
    with phone.expect_navigation():
        phone.locator("main form[data-once] button[type=submit]").click()
    expect(phone).to_have_url(live_server.url + "/setup/rooms/")
    expect(phone.locator("main .alert-success")).to_be_visible()
    room = Room.objects.get(building=building, number="201")
    assert (room.floor, room.name, room.kind, room.capacity) == (2, "阅览室", "office", 40)

    # The rooms list filtered by that building shows it, and only it.
    phone.select_option("main form[role=search] #id_building", str(building.pk))
    with phone.expect_navigation():
        phone.locator("main form[role=search] button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/setup/rooms/\?.*building={building.pk}"))
    rows = phone.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_contain_text(["博学楼", "2", "201", "阅览室", zh("Office")])
    assert_fits_viewport(phone)
    problems.assert_none(phone, "adding a room and filtering the rooms")


def test_general_affairs_imports_rooms_on_a_phone(
    phone, live_server, demo, problems, sign_in, zh, assert_fits_viewport, monkeypatch
):
    """Upload, watch the job's page follow the job, read the row errors, upload the corrected
    file, see the rooms. The jobs are held back from Celery and run here, so the pages
    are seen queued and then refresh themselves."""
    held = []
    monkeypatch.setattr(queue, "_publish", lambda task, args: held.append(args[0]))
    sign_in(phone, "zongwu", demo.password)

    def upload(rows, name):
        phone.set_input_files(
            "#id_file", files=[{"name": name, "mimeType": XLSX, "buffer": workbook_bytes(rows)}]
        )
        with phone.expect_navigation():
            phone.locator("main form[data-once] button[type=submit]").click()
        expect(phone).to_have_url(re.compile(r"/setup/rooms/import/\d+/$"))
        status = phone.get_by_test_id("import-status")
        expect(status).to_have_attribute("data-status", "queued")
        expect(phone.get_by_test_id("progress")).to_be_visible()
        assert len(held) == 1, held
        import_run(held.pop())  # the worker; the page polls its status
        return status

    phone.goto(live_server.url + "/setup/rooms/")
    phone.locator('main a[href="/setup/rooms/import/"]').first.click()
    expect(phone).to_have_url(live_server.url + "/setup/rooms/import/")
    expect(phone.locator("main h1")).to_have_text(zh("Import rooms"))
    expect(phone.get_by_test_id("no-imports")).to_be_visible()
    assert_fits_viewport(phone)

    header = ["楼宇", "楼层", "房间号", "名称", "类型"]
    status = upload(
        [header, ["求真楼", 5, "X501", "创客空间", "实验室"], ["博学楼", 1, "X101", "", ""]],
        "新房间.xlsx",
    )
    expect(status).to_have_attribute("data-status", "failed")
    errors = phone.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td")).to_contain_text(["第 3 行", zh("Building"), "博学楼"])
    expect(phone.get_by_test_id("import-file")).to_contain_text("新房间.xlsx")
    assert_fits_viewport(phone)
    assert not Room.objects.filter(number__in=["X501", "X101"]).exists()
    problems.assert_none(phone, "an import with a bad row")

    # Fix the file and upload it again, from the job's page.
    with phone.expect_navigation():
        phone.get_by_test_id("upload-again").click()
    expect(phone).to_have_url(live_server.url + "/setup/rooms/import/")
    expect(phone.get_by_test_id("recent-import")).to_have_count(1)
    status = upload(
        [header, ["求真楼", 5, "X501", "创客空间", "实验室"], ["求真楼", 1, "X101", "", ""]],
        "新房间-改.xlsx",
    )
    expect(status).to_have_attribute("data-status", "done")
    expect(phone.get_by_test_id("import-result")).to_contain_text("新增 2 条，更新 0 条")
    assert_fits_viewport(phone)
    room = Room.objects.get(building__school=demo.school, number="X501")
    assert (room.building.name, room.floor, room.name, room.kind) == (
        "求真楼",
        5,
        "创客空间",
        "lab",
    )
    assert list(ImportJob.objects.values_list("status", flat=True)) == ["done", "failed"]

    with phone.expect_navigation():
        phone.get_by_test_id("to-list").click()
    expect(phone).to_have_url(live_server.url + "/setup/rooms/")
    problems.assert_none(phone, "importing rooms")
