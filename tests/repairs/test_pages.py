"""Repair pages: the role × page matrix, filing through the form (bad input, double
submits, QR links), who sees which ticket and photo, steps from the page, the list,
its export and query counts."""

import io
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from logistics.choices import Role, Trade
from logistics.common.uploads import image_clean
from logistics.repairs.choices import DamageCause, TicketStatus
from logistics.repairs.models import Ticket, TicketPhoto
from logistics.repairs.services import tickets as services
from tests import factories
from tests.matrix import ALL_ROLES, Page, check_page, expect, roles

GA = Role.GENERAL_AFFAIRS
PRINCIPAL = Role.PRINCIPAL
FILERS = frozenset(r for r in ALL_ROLES if r != Role.DISTRICT_VIEWER)
READERS = roles(GA, PRINCIPAL)


def _room(school):
    return {"room": factories.RoomFactory(building__school=school).pk}


def _category(school):
    return {"pk": factories.RepairCategoryFactory(school=school).pk}


def _material(school):
    return {"pk": factories.MaterialFactory(school=school).pk}


def _rule(school):
    from logistics.repairs.models import DispatchRule

    tech = factories.technician(school)
    return {"pk": DispatchRule.objects.create(school=school, trade="plumbing", technician=tech).pk}


def _ticket(school, **kwargs):
    """A ticket filed by a teacher of the school, a plumbing job nobody has taken."""
    return {"pk": factories.TicketFactory(school=school, **kwargs).pk}


def _ticket_cancel(school):
    return {**_ticket(school), "action": "cancel"}


def _material_used(school):
    """A material a plumber used on a ticket being worked."""
    from logistics.repairs.models import TicketMaterial

    plumber = factories.technician(school, Trade.PLUMBING)
    ticket = factories.TicketFactory(
        school=school, status=TicketStatus.IN_PROGRESS, assignee=plumber, started_at=timezone.now()
    )
    used = TicketMaterial.objects.create(
        ticket=ticket, name="生料带", quantity=1, unit="卷", unit_cost=2, added_by=plumber
    )
    return {"pk": ticket.pk, "material": used.pk}


# Who may open a ticket: the office (general affairs, the principal) and, of the others,
# only its requester and the technicians of its trade (tests below): for the others a
# ticket of the school is not found. A step the role may not take is refused by the
# service on the ticket's page (a message, back to the page).
TICKET = expect(roles(GA, PRINCIPAL), others=404)
TICKET_STEP = expect(roles(GA, PRINCIPAL), ok=302, others=404)


PAGES = [
    Page("ticket_create", FILERS),
    Page("ticket_rooms", FILERS),
    Page("ticket_categories", FILERS),
    Page("ticket_mine", FILERS),
    Page("ticket_room_link", FILERS, kwargs=_room, ok=302),
    Page("ticket_queue", roles(Role.TECHNICIAN)),
    Page("ticket_detail", TICKET, kwargs=_ticket),
    Page(
        "ticket_action",
        TICKET_STEP,
        kwargs=_ticket_cancel,
        method="post",
        data=lambda kwargs: {"cancel-reason": "报错了"},
        label="cancel",
    ),
    Page("ticket_material_remove", TICKET_STEP, kwargs=_material_used, method="post"),
    Page("ticket_list", READERS),
    Page("ticket_export", READERS),
    Page("ticket_filters", READERS),
    Page("ticket_stats", READERS),
    Page("ticket_stickers", roles(GA)),
    Page("dashboard", frozenset(ALL_ROLES)),
    Page("repair_category_list", READERS),
    Page("repair_category_create", roles(GA)),
    Page("repair_category_edit", roles(GA), kwargs=_category),
    Page("repair_category_defaults", roles(GA), method="post", ok=302),
    Page("dispatch_rule_list", READERS),
    Page("dispatch_rule_create", roles(GA)),
    Page("dispatch_rule_edit", roles(GA), kwargs=_rule),
    Page("material_list", roles(GA, PRINCIPAL, Role.TECHNICIAN)),
    Page("material_create", roles(GA)),
    Page("material_edit", roles(GA), kwargs=_material),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ALL_ROLES], ids=lambda r: str(r) if r else "anonymous")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.id)
def test_role_page_matrix(client, page, role, school, other_school, make_user):
    check_page(client, page, role, school, other_school, make_user)


# --- Filing through the form ---------------------------------------------------------------


@pytest.fixture
def staff(make_user, school):
    return make_user(Role.STAFF, school, phone="13800000000")


@pytest.fixture
def room(school):
    return factories.RoomFactory(building__school=school, floor=2, number="201")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def form_data(room, **extra):
    import uuid

    data = {
        "building": room.building_id,
        "floor": room.floor,
        "room": room.pk,
        "trade": Trade.PLUMBING,
        "description": "卫生间水龙头漏水",
        "urgency": "normal",
        "contact_phone": "13800000000",
        "submission_key": str(uuid.uuid4()),
        "photos": [factories.photo_upload()],
    }
    data.update(extra)
    return data


def media_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
class TestFilingPage:
    def test_form_prefills_phone_and_key(self, staff_client):
        body = staff_client.get("/repairs/new/").content.decode()
        assert 'value="13800000000"' in body
        assert re.search(r'name="submission_key" value="[0-9a-f-]{36}"', body)

    def test_files_a_ticket_with_a_photo(self, staff_client, staff, room, settings):
        response = staff_client.post("/repairs/new/", form_data(room))
        ticket = Ticket.objects.get()
        assert response.status_code == 302 and response.url == f"/repairs/{ticket.pk}/"
        assert (ticket.requester, ticket.room, ticket.status) == (staff, room, "submitted")
        photo = ticket.photos.get()
        assert re.fullmatch(r"repairs/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.jpg", photo.image)
        page = staff_client.get(response.url).content.decode()
        assert "卫生间水龙头漏水" in page and photo.url in page
        served = staff_client.get(photo.url)
        assert served.status_code == 200
        assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"  # a JPEG
        served.close()

    def test_double_submit_files_one_ticket(self, staff_client, room):
        data = form_data(room)
        first = staff_client.post("/repairs/new/", data)
        data["photos"] = [factories.photo_upload()]
        second = staff_client.post("/repairs/new/", data)
        assert Ticket.objects.count() == 1 and TicketPhoto.objects.count() == 1
        assert first.url == second.url

    @pytest.mark.parametrize(
        "case",
        ["not_an_image", "too_large", "too_many_pixels", "four_photos", "no_photo", "truncated"],
    )
    def test_bad_photos_store_nothing(self, staff_client, room, settings, case):
        from django.core.files.uploadedfile import SimpleUploadedFile

        photos = [factories.photo_upload()]
        if case == "not_an_image":
            photos = [SimpleUploadedFile("x.jpg", b"#!/bin/sh\necho hi\n", "image/jpeg")]
        elif case == "too_large":
            settings.UPLOAD_IMAGE_MAX_BYTES = 500
            photos = [factories.photo_upload(size=(400, 400))]
        elif case == "too_many_pixels":
            settings.UPLOAD_IMAGE_MAX_PIXELS = 1000
            photos = [factories.photo_upload(size=(100, 100))]
        elif case == "four_photos":
            photos = [factories.photo_upload() for _ in range(4)]
        elif case == "no_photo":
            photos = []
        elif case == "truncated":
            photos = [SimpleUploadedFile("t.jpg", factories.photo_bytes()[:200], "image/jpeg")]
        response = staff_client.post("/repairs/new/", form_data(room, photos=photos))
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert "photos" in errors, errors
        assert not Ticket.objects.exists()
        assert media_files(settings) == []

    def test_missing_fields_are_named(self, staff_client, room):
        data = form_data(room, description="", trade="")
        data["room"] = ""
        response = staff_client.post("/repairs/new/", data)
        errors = response.context["form"].errors
        assert {"description", "trade", "room"} <= set(errors)
        assert not Ticket.objects.exists()

    def test_room_must_be_in_the_chosen_building(self, staff_client, room, school):
        elsewhere = factories.RoomFactory(building__school=school)
        response = staff_client.post(
            "/repairs/new/", form_data(room, building=elsewhere.building_id, floor="")
        )
        assert "room" in response.context["form"].errors
        assert not Ticket.objects.exists()

    def test_foreign_room_is_refused(self, staff_client, other_school):
        foreign = factories.RoomFactory(building__school=other_school)
        response = staff_client.post("/repairs/new/", form_data(foreign))
        assert response.status_code == 200
        assert not Ticket.objects.exists()

    def test_qr_link_prefills_the_room(self, staff_client, room):
        response = staff_client.get(f"/r/{room.pk}/")
        assert response.url == f"/repairs/new/?room={room.pk}"
        page = staff_client.get(response.url)
        form = page.context["form"]
        assert form.initial["room"] == room.pk and form.initial["building"] == room.building_id
        body = page.content.decode()
        assert f'<option value="{room.pk}" selected>' in body
        assert 'data-testid="qr-room"' in body

    def test_qr_link_of_a_retired_room_is_404(self, staff_client, room):
        room.is_active = False
        room.save()
        assert staff_client.get(f"/r/{room.pk}/").status_code == 404

    def test_rooms_fragment_lists_the_building_floors_and_rooms(self, staff_client, room, school):
        factories.RoomFactory(building=room.building, floor=3, number="301")
        foreign = factories.RoomFactory(building__school=factories.SchoolFactory())
        body = staff_client.get(f"/repairs/new/rooms/?building={room.building_id}").content
        body = body.decode()
        assert 'id="room-fields"' in body and "201" in body and "301" in body
        body = staff_client.get(
            f"/repairs/new/rooms/?building={room.building_id}&floor=3",
            headers={"HX-Request": "true", "HX-Trigger-Name": "floor"},
        ).content.decode()
        assert "301" in body and ">201<" not in body
        body = staff_client.get(f"/repairs/new/rooms/?building={foreign.building_id}")
        assert foreign.number not in body.content.decode().split('id="id_room"')[1]

    def test_categories_fragment(self, staff_client, school):
        factories.RepairCategoryFactory(school=school, trade=Trade.ELECTRICAL, name="灯具")
        factories.RepairCategoryFactory(school=school, trade=Trade.PLUMBING, name="堵塞")
        body = staff_client.get("/repairs/new/categories/?trade=electrical").content.decode()
        assert "灯具" in body and "堵塞" not in body


# --- Who sees what -------------------------------------------------------------------------


def filed(staff, room, **kwargs):
    ticket, _ = services.ticket_file(
        requester=staff,
        room=room,
        trade=kwargs.pop("trade", Trade.PLUMBING),
        description="漏水",
        photos=[image_clean(factories.photo_upload())],
        **kwargs,
    )
    return ticket


@pytest.mark.django_db
class TestVisibility:
    def test_staff_cannot_see_or_touch_anothers_ticket(
        self, client, staff, room, make_user, school
    ):
        ticket = filed(staff, room)
        photo = ticket.photos.get()
        neighbour = make_user(Role.STAFF, school)
        client.force_login(neighbour)
        assert client.get(f"/repairs/{ticket.pk}/").status_code == 404
        assert client.get(photo.url).status_code == 404
        response = client.post(f"/repairs/{ticket.pk}/cancel/", {"cancel-reason": "x"})
        assert response.status_code == 404
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.SUBMITTED
        assert "漏水" not in client.get("/repairs/mine/").content.decode()

    def test_other_school_sees_nothing(self, client, staff, room, make_user, other_school):
        ticket = filed(staff, room)
        for role in (GA, PRINCIPAL, Role.TECHNICIAN, Role.STAFF):
            client.force_login(make_user(role, other_school))
            assert client.get(f"/repairs/{ticket.pk}/").status_code == 404
            assert client.get(ticket.photos.get().url).status_code == 404
            assert client.post(f"/repairs/{ticket.pk}/take/").status_code == 404
        client.force_login(make_user(GA, other_school))
        assert f"#{ticket.pk}" not in client.get("/repairs/").content.decode()

    def test_who_sees_the_ticket(self, client, staff, room, make_user, school):
        ticket = filed(staff, room)
        plumber = factories.technician(school, Trade.PLUMBING)
        electrician = factories.technician(school, Trade.ELECTRICAL)
        expected = {
            staff: 200,
            make_user(GA, school): 200,
            make_user(PRINCIPAL, school): 200,
            plumber: 200,  # waiting in their trade
            electrician: 404,
            make_user(Role.SAFETY_OFFICER, school): 404,
        }
        for person, status in expected.items():
            client.force_login(person)
            assert client.get(f"/repairs/{ticket.pk}/").status_code == status, person


# --- Steps from the page -------------------------------------------------------------------


@pytest.mark.django_db
class TestSteps:
    def test_technician_works_it_from_the_page(self, client, staff, room, school, settings):
        ticket = filed(staff, room)
        plumber = factories.technician(school, Trade.PLUMBING)
        pipe = factories.MaterialFactory(school=school, name="台盆水管")
        client.force_login(plumber)
        assert f"#{ticket.pk}" in client.get("/repairs/queue/").content.decode()
        client.post(f"/repairs/{ticket.pk}/take/", {"next": "queue"})
        client.post(f"/repairs/{ticket.pk}/start/")
        response = client.post(
            f"/repairs/{ticket.pk}/material/",
            {"material-material": pipe.pk, "material-quantity": "2"},
        )
        assert response.status_code == 302
        response = client.post(
            f"/repairs/{ticket.pk}/material/",
            {
                "material-name": "生料带",
                "material-unit": "卷",
                "material-unit_cost": "1.50",
                "material-quantity": "1",
            },
        )
        assert response.status_code == 302
        response = client.post(
            f"/repairs/{ticket.pk}/complete/",
            {
                "complete-cause": DamageCause.DAMAGE,
                "complete-work_notes": "更换水管",
                "complete-photo": factories.photo_upload(),
            },
        )
        assert response.status_code == 302
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.DONE and ticket.cause == "damage"
        body = client.get(f"/repairs/{ticket.pk}/").content.decode()
        assert "台盆水管" in body and "生料带" in body and "26.50" in body
        client.force_login(staff)
        response = client.post(
            f"/repairs/{ticket.pk}/confirm/", {"confirm-rating": "4", "confirm-comment": "好"}
        )
        ticket.refresh_from_db()
        assert (ticket.status, ticket.rating) == (TicketStatus.CLOSED, 4)

    def test_second_taker_is_told(self, client, staff, room, school):
        ticket = filed(staff, room)
        first = factories.technician(school, Trade.PLUMBING, name="王师傅")
        second = factories.technician(school, Trade.PLUMBING)
        client.force_login(first)
        client.post(f"/repairs/{ticket.pk}/take/")
        client.force_login(second)
        response = client.post(f"/repairs/{ticket.pk}/take/", follow=True)
        assert "王师傅" in response.content.decode()
        ticket.refresh_from_db()
        assert ticket.assignee == first

    def test_invalid_step_form_shows_errors_and_changes_nothing(self, client, staff, room, school):
        ticket = filed(staff, room)
        plumber = factories.technician(school, Trade.PLUMBING)
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        client.force_login(plumber)
        response = client.post(
            f"/repairs/{ticket.pk}/complete/",
            {"complete-cause": "wear", "complete-photo": io.BytesIO(b"not an image")},
        )
        assert response.status_code == 400
        assert response.context["forms"]["complete"].errors
        response = client.post(f"/repairs/{ticket.pk}/material/", {"material-quantity": "-1"})
        assert response.status_code == 400
        ticket.refresh_from_db()
        assert ticket.status == TicketStatus.IN_PROGRESS and not ticket.materials.exists()
        assert client.post(f"/repairs/{ticket.pk}/bogus/").status_code == 404
        assert client.get(f"/repairs/{ticket.pk}/start/").status_code == 405

    def test_dispatch_from_the_page(self, client, staff, room, school, general_affairs):
        ticket = filed(staff, room)
        plumber = factories.technician(school, Trade.PLUMBING)
        client.force_login(general_affairs)
        page = client.get(f"/repairs/{ticket.pk}/").content.decode()
        assert 'data-testid="action-assign"' in page
        client.post(f"/repairs/{ticket.pk}/assign/", {"assign-technician": plumber.pk})
        ticket.refresh_from_db()
        assert ticket.assignee == plumber and ticket.status == TicketStatus.ASSIGNED
        # A person of another school is not a choice.
        foreign = factories.technician(factories.SchoolFactory())
        response = client.post(f"/repairs/{ticket.pk}/assign/", {"assign-technician": foreign.pk})
        assert response.status_code == 400
        ticket.refresh_from_db()
        assert ticket.assignee == plumber


# --- General affairs' list and export ----------------------------------------------------------


@pytest.mark.django_db
class TestList:
    def test_filters_and_overdue(self, client, general_affairs, school):
        now = timezone.now()
        late = factories.TicketFactory(
            school=school,
            description="逾期的",
            created_at=now - timezone.timedelta(days=5),
            # Rooms without digits: the number search below finds ids, not rooms.
            room=factories.RoomFactory(building__school=school, number="东侧"),
        )
        fresh = factories.TicketFactory(
            school=school,
            description="新的",
            trade=Trade.ELECTRICAL,
            room=factories.RoomFactory(building__school=school, number="西侧"),
        )
        client.force_login(general_affairs)
        body = client.get("/repairs/?overdue=true").content.decode()
        assert f"#{late.pk}<" in body and f"#{fresh.pk}<" not in body
        assert 'class="ticket-overdue"' in body
        body = client.get("/repairs/?trade=electrical").content.decode()
        assert f"#{fresh.pk}<" in body and f"#{late.pk}<" not in body
        body = client.get(f"/repairs/?building={late.room.building_id}").content.decode()
        assert f"#{late.pk}<" in body and f"#{fresh.pk}<" not in body
        body = client.get(f"/repairs/?q={fresh.pk}").content.decode()
        assert f"#{fresh.pk}<" in body and f"#{late.pk}<" not in body
        body = client.get(f"/repairs/?room={late.room_id}").content.decode()
        assert f"#{late.pk}<" in body and f"#{fresh.pk}<" not in body

    def test_pages_sorting_and_rows_a_page(self, client, general_affairs, school):
        tickets = [factories.TicketFactory(school=school) for _ in range(25)]
        client.force_login(general_affairs)
        body = client.get("/repairs/").content.decode()
        assert body.count("<tr>") + body.count('<tr class="ticket-overdue">') == 21  # + head
        assert 'href="?page=2"' in body and "1 / 2" in body
        assert f"#{tickets[-1].pk}<" in body and f"#{tickets[0].pk}<" not in body
        body = client.get("/repairs/?page=2").content.decode()
        assert f"#{tickets[0].pk}<" in body and "2 / 2" in body
        body = client.get("/repairs/?sort=number").content.decode()
        assert 'href="?sort=-number"' in body and "bi-sort-up" in body
        first = body.index(f"#{tickets[0].pk}<")
        assert first < body.index(f"#{tickets[1].pk}<")
        body = client.get("/repairs/?per_page=50").content.decode()
        assert "<strong>50</strong>" in body and "1 / 2" not in body
        assert f"#{tickets[0].pk}<" in body

    def test_rows_escape_what_people_typed(self, client, general_affairs, school):
        room = factories.RoomFactory(building__school=school, building__name="<b>楼</b>")
        requester = factories.user_with_role(Role.STAFF, school=school, name='"王"&<i>')
        factories.TicketFactory(school=school, room=room, requester=requester)
        client.force_login(general_affairs)
        body = client.get("/repairs/").content.decode()
        assert "&lt;b&gt;楼&lt;/b&gt;" in body and "<b>楼" not in body
        assert "&quot;王&quot;&amp;&lt;i&gt;" in body

    def test_filter_panel_and_active_filters(self, client, general_affairs, school):
        building = factories.BuildingFactory(school=school, name="求真楼")
        factories.BuildingFactory(school=factories.SchoolFactory(), name="别校楼")
        client.force_login(general_affairs)
        body = client.get("/repairs/").content.decode()
        assert 'data-testid="filter-panel"' not in body  # loaded on demand
        panel = client.get("/repairs/filters/?status=done").content.decode()
        assert 'data-testid="filter-panel"' in panel
        assert "求真楼" in panel and "别校楼" not in panel
        assert '<option value="done" selected>' in panel
        # Without JavaScript the button opens the same panel in the page.
        body = client.get("/repairs/?filters=1").content.decode()
        assert 'data-testid="filter-panel"' in body
        body = client.get(f"/repairs/?status=done&building={building.pk}").content.decode()
        assert 'data-testid="active-filters"' in body
        assert "求真楼" in body and f"?building={building.pk}" in body  # removing the status
        # A building of another school is not a choice: no chip, nothing filtered by it.
        foreign = factories.BuildingFactory(school=factories.SchoolFactory())
        response = client.get(f"/repairs/?building={foreign.pk}")
        assert response.status_code == 200
        assert response.context["chips"] == []

    def test_export_has_the_filtered_rows(self, client, general_affairs, school):
        factories.TicketFactory(school=school, description="=HYPERLINK(1)")
        factories.TicketFactory(school=school, trade=Trade.NETWORK, description="网络")
        client.force_login(general_affairs)
        response = client.get("/repairs/export/?trade=plumbing")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        assert len(rows) == 2
        assert rows[1][8] == "'=HYPERLINK(1)"


# --- Query counts -----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.django_db
def test_ticket_list_queries_do_not_grow_with_rows(client, make_user, settings):
    settings.DEBUG = False
    counts = []
    for n in (20, 100):
        school = factories.SchoolFactory()
        user = make_user(GA, school)
        tech = factories.technician(school)
        category = factories.RepairCategoryFactory(school=school)
        for i in range(n):
            factories.TicketFactory(
                school=school,
                assignee=tech if i % 2 else None,
                status="assigned" if i % 2 else "submitted",
                category=category if i % 3 else None,
            )
        client.force_login(user)
        if not counts:
            client.get("/repairs/")  # the first request of a process warms its caches
        counts.append(count_queries(client, f"/repairs/?per_page={n}"))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 10, counts


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["mine", "queue", "detail"])
def test_staff_pages_queries_do_not_grow(client, make_user, settings, page):
    settings.DEBUG = False
    counts = []
    for n in (2, 12):
        school = factories.SchoolFactory()
        staff = make_user(Role.STAFF, school)
        tech = factories.technician(school)
        room = factories.RoomFactory(building__school=school)
        tickets = [filed(staff, room) for _ in range(n)]
        for ticket in tickets:
            services.ticket_take(ticket, actor=tech)
        ticket = tickets[0]
        services.ticket_start(ticket, actor=tech)
        for _ in range(n):
            services.ticket_material_add(
                ticket, actor=tech, name="管", unit="根", unit_cost=1, quantity=1
            )
            services.ticket_hold(ticket, actor=tech, reason="等待配件")
            services.ticket_resume(ticket, actor=tech)
        viewer, url = {
            "mine": (staff, "/repairs/mine/"),
            "queue": (tech, "/repairs/queue/"),
            "detail": (tech, f"/repairs/{ticket.pk}/"),
        }[page]
        client.force_login(viewer)
        if not counts:
            client.get("/repairs/new/")  # the first request of a process warms its caches
        counts.append(count_queries(client, url))
    assert counts[0] == counts[1], counts


@pytest.mark.django_db
def test_filing_form_queries_do_not_grow(client, make_user, settings):
    """The filing form (its building choices) reads as many times with many buildings,
    rooms and categories as with few."""
    settings.DEBUG = False
    counts = []
    for n in (1, 8):
        school = factories.SchoolFactory()
        staff = make_user(Role.STAFF, school)
        for _ in range(n):
            factories.RoomFactory(building__school=school)
            factories.RepairCategoryFactory(school=school)
        client.force_login(staff)
        client.get("/repairs/new/")  # the first request of a process warms its caches
        counts.append(count_queries(client, "/repairs/new/"))
    assert counts[0] == counts[1], counts


# --- A ticket's page, drawn once -------------------------------------------------------------

TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|submission_key" value="|X-CSRFToken": ")[^"]*')


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.TECHNICIAN, GA, Role.STAFF])
def test_ticket_page_kept_is_the_page_drawn_afresh(client, staff, room, school, role):
    """A ticket's page drawn from its kept parts (the steps' card, the facts, materials
    and history) is the page drawn afresh, with the request's CSRF token in each form and
    a new one-time key each time; another ticket's page takes the card with its own
    address."""
    from logistics.repairs.views.tickets import CSRF_STAND_IN, KEY_STAND_IN, PK_STAND_IN

    plumber = factories.technician(school, Trade.PLUMBING, name="王师傅")
    factories.MaterialFactory(school=school, name="台盆水管")
    first, second = filed(staff, room), filed(staff, room)
    for ticket in (first, second):
        services.ticket_take(ticket, actor=plumber)
        services.ticket_start(ticket, actor=plumber)
        services.ticket_material_add(
            ticket, actor=plumber, name="生料带", unit="卷", unit_cost=1, quantity=2
        )
    viewer = {Role.TECHNICIAN: plumber, GA: factories.user_with_role(GA, school=school)}
    client.force_login(viewer.get(role, staff))
    url = f"/repairs/{first.pk}/"
    fresh = client.get(url).content.decode()
    kept = client.get(url).content.decode()
    assert TOKENS.sub("", fresh) == TOKENS.sub("", kept)
    for stand_in in (CSRF_STAND_IN, str(KEY_STAND_IN), str(PK_STAND_IN)):
        assert stand_in not in kept
    token = re.search(r'csrfmiddlewaretoken" value="([^"]+)', kept)
    assert token and len(token.group(1)) == 64
    keys = re.findall(r'submission_key" value="([^"]+)', fresh + kept)
    assert len(keys) == len(set(keys)) == (2 if role == Role.TECHNICIAN else 0)
    other = client.get(f"/repairs/{second.pk}/").content.decode()
    assert f"/repairs/{second.pk}/material/" in other or role != Role.TECHNICIAN
    assert f"/repairs/{first.pk}/" not in other
    from django.core.cache import cache

    cache.clear()
    assert TOKENS.sub("", client.get(f"/repairs/{second.pk}/").content.decode()) == TOKENS.sub(
        "", other
    )


@pytest.mark.django_db
def test_ticket_page_shows_writes_at_once(client, staff, room, school, general_affairs):
    """What the ticket's page keeps changes with every write it shows: a step, a material
    used, the materials catalogue, a category, a person's name, a technician added."""
    from logistics.repairs.services.tickets import material_save, repair_category_save
    from logistics.services.people import person_update

    plumber = factories.technician(school, Trade.PLUMBING, name="王师傅")
    category = factories.RepairCategoryFactory(school=school, trade=Trade.PLUMBING, name="漏水")
    ticket = filed(staff, room, category=category)
    services.ticket_take(ticket, actor=plumber)
    client.force_login(plumber)
    url = f"/repairs/{ticket.pk}/"
    page = lambda: client.get(url).content.decode()  # noqa: E731
    assert 'data-testid="action-material"' not in page()
    services.ticket_start(ticket, actor=plumber)
    assert 'data-testid="action-material"' in page() and "生料带" not in page()
    services.ticket_material_add(
        ticket, actor=plumber, name="生料带", unit="卷", unit_cost=1, quantity=2
    )
    assert "生料带" in page()
    material_save(school=school, name="台盆水管", unit="根", unit_cost="12.00", trade="plumbing")
    assert "台盆水管" in page()
    repair_category_save(school=school, instance=category, name="水管漏水")
    assert "水管漏水" in page()
    person_update(user=plumber, roles=[Role.TECHNICIAN], trades=[Trade.PLUMBING], name="王师父")
    assert 'data-testid="assignee">王师父' in page()
    client.force_login(general_affairs)
    assert "李师傅" not in page()
    newcomer = factories.technician(school, Trade.ELECTRICAL, name="李师傅")
    person_update(user=newcomer, roles=[Role.TECHNICIAN], trades=[Trade.ELECTRICAL])
    assert "李师傅" in page()
    services.ticket_hold(ticket, actor=plumber, reason="等待配件")
    body = page()
    assert "等待配件" in body and f"/repairs/{ticket.pk}/resume/" in body


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["13912345678", "", '<"&>'])
def test_filing_form_kept_is_drawn_afresh(client, room, school, make_user, phone):
    """The filing form with no building chosen is kept: the page is the one drawn afresh
    (the person's phone, or none, filled in; the request's CSRF token; a new one-time
    key each time), a building added or renamed shows at once, and a form with a room
    (a QR sticker's) or the user's input is drawn afresh."""
    from django.core.cache import cache

    from logistics.repairs.views.tickets import CSRF_STAND_IN, KEY_STAND_IN, PHONE_STAND_IN
    from logistics.services.organisation import building_save

    client.force_login(make_user(Role.STAFF, school, phone=phone))
    fresh = client.get("/repairs/new/").content.decode()
    kept = client.get("/repairs/new/").content.decode()
    assert TOKENS.sub("", fresh) == TOKENS.sub("", kept)
    for stand_in in (CSRF_STAND_IN, str(KEY_STAND_IN), PHONE_STAND_IN):
        assert stand_in not in kept
    keys = re.findall(r'submission_key" value="([^"]+)', fresh + kept)
    assert len(keys) == len(set(keys)) == 2
    assert room.building.name in kept
    building_save(school=school, instance=room.building, name="新实验楼")
    assert "新实验楼" in client.get("/repairs/new/").content.decode()
    building_save(school=school, name="体育馆", floors_above=3)
    kept = client.get("/repairs/new/").content.decode()
    assert "体育馆" in kept
    cache.clear()
    assert TOKENS.sub("", client.get("/repairs/new/").content.decode()) == TOKENS.sub("", kept)
    client.force_login(make_user(Role.STAFF, school, phone="13800000001"))
    assert 'value="13800000001"' in client.get("/repairs/new/").content.decode()
    qr = client.get(f"/repairs/new/?room={room.pk}").content.decode()
    assert f'<option value="{room.pk}" selected>' in qr
    response = client.post("/repairs/new/", {"building": room.building_id, "description": ""})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
