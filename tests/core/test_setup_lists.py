"""The set-up lists of people and rooms (``logistics.views.setup``): the page's ids from
the list's query, its rows in one statement (``logistics.selectors.sql``, against the
ORM in tests/core/test_sql.py), drawn in Python (``logistics.templatetags.setup_lists``)
with the markup the row templates drew, the count kept under the school's figures stamp
when nothing is filtered."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.template import engines
from django.urls import reverse
from django.utils import translation

from logistics.choices import Role
from logistics.models import Room, User
from logistics.selectors import person_list, room_list
from logistics.services import organisation
from logistics.services.people import person_create, person_set_active
from tests import factories

# The row templates as they were, a row at a time through the template language.
PERSON_ROW = """{% load i18n %}{% for object in object_list %}<tr>
  <td><a href="{% url 'person_detail' object.pk %}">{{ object.username }}</a></td>
  <td>{{ object.name }}</td><td>{{ object.department|default:"—" }}</td>
  <td>{% for role in object.roles %}<span class="badge text-bg-light border">{{ role.label }}</span> {% endfor %}</td>
  <td>{{ object.phone }}</td>
  <td>{% if object.is_active %}<span class="badge text-bg-success">{{ yes }}</span>{% else %}<span class="badge text-bg-secondary">{{ no }}</span>{% endif %}</td>
  <td class="text-end">{% if can_edit %}<a class="btn btn-sm btn-outline-primary" href="{% url 'person_edit' object.pk %}">{{ edit_label }}</a>{% endif %}</td>
</tr>{% endfor %}
"""  # noqa: E501
ROOM_ROW = """{% load i18n %}{% for object in object_list %}<tr>
  <td>{{ object.building.name }}</td><td>{{ object.floor }}</td><td>{{ object.number }}</td>
  <td>{{ object.name|default:"—" }}</td><td>{{ object.get_kind_display }}</td>
  <td>{% if object.is_active %}<span class="badge text-bg-success">{{ yes }}</span>{% else %}<span class="badge text-bg-secondary">{{ no }}</span>{% endif %}</td>
  <td class="text-end">{% if can_edit %}<a class="btn btn-sm btn-outline-primary" href="{% url 'room_edit' object.pk %}">{{ edit_label }}</a>{% endif %}</td>
</tr>{% endfor %}
"""  # noqa: E501
LABELS = (
    '{% translate "Yes" as yes %}{% translate "No" as no %}{% translate "Edit" as edit_label %}'
)


def _drawn(template, context):
    return engines["django"].from_string("{% load i18n %}" + LABELS + template).render(context)


@pytest.fixture
def people(school):
    department = factories.DepartmentFactory(school=school, name="总务处 & <后勤>")
    a = factories.user_with_role(
        Role.TECHNICIAN, school=school, username="a<b>", name='王 "师傅"', phone="138 & 0"
    )
    a.groups.add(Group.objects.get(name=Role.STAFF))
    a.department = department
    a.save()
    factories.UserFactory(school=school, username="b-nobody", name="", phone="")
    factories.user_with_role(Role.PRINCIPAL, school=school, username="c'p", is_active=False)
    return school


@pytest.fixture
def rooms(school):
    building = factories.BuildingFactory(school=school, name="求真楼 <A>")
    factories.RoomFactory(building=building, number="101", floor=1, name="高一(1)班 & 2")
    factories.RoomFactory(building=building, number="B1", floor=-1, name="", kind="storage")
    factories.RoomFactory(building=building, number="'x'", floor=3, is_active=False)
    return school


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [Role.GENERAL_AFFAIRS, Role.PRINCIPAL])
def test_the_people_rows_are_the_template_s_markup(client, people, language, role):
    """Whatever the text holds (escaped the same), without a department, name or
    phone, inactive, with several roles (in their usual order), with the edit button
    (general affairs) or without (the principal reads only)."""
    viewer = factories.user_with_role(role, school=people, username="viewer")
    client.force_login(viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("person_list"))
    with translation.override(language):
        expected = _drawn(
            PERSON_ROW,
            {
                "object_list": person_list(viewer).order_by("username"),
                "can_edit": viewer.has_perm("logistics.change_user"),
            },
        )
    page = response.content.decode()
    assert expected.count("<tr>") == 4
    assert expected in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [Role.GENERAL_AFFAIRS, Role.PRINCIPAL])
def test_the_room_rows_are_the_template_s_markup(client, rooms, language, role):
    viewer = factories.user_with_role(role, school=rooms, username="viewer")
    client.force_login(viewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("room_list"))
    with translation.override(language):
        expected = _drawn(
            ROOM_ROW,
            {
                "object_list": room_list(viewer).order_by("building__name", "floor", "number"),
                "can_edit": viewer.has_perm("logistics.change_room"),
            },
        )
    assert expected.count("<tr>") == 3
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_the_people_count_follows_every_write(ga_client, general_affairs, school):
    """Kept under the school's figures stamp when nothing is filtered: a person made,
    disabled (still listed) or imported is counted at once."""

    def count(query=""):
        return ga_client.get(reverse("person_list") + query).context["paginator"].count

    before = count()
    assert before == User.objects.filter(school=school).count()
    person = person_create(
        school=school, username="new1", name="新人", roles=[Role.STAFF], actor=general_affairs
    )[0]
    assert count() == before + 1
    person_set_active(user=person, active=False, actor=general_affairs)
    assert count() == before + 1
    assert count("?is_active=false") == 1
    assert count(f"?role={Role.STAFF}") == User.objects.filter(groups__name=Role.STAFF).count()


@pytest.mark.django_db
def test_the_rooms_count_follows_every_write(ga_client, school):
    def count(query=""):
        return ga_client.get(reverse("room_list") + query).context["paginator"].count

    building = factories.BuildingFactory(school=school, name="一号楼")
    factories.RoomFactory(building=building, number="101")
    assert count() == 1
    organisation.room_save(school=school, instance=None, building=building, floor=2, number="201")
    assert count() == 2 == Room.objects.count()
    assert count("?q=201") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?sort=-name", "?sort=department&page=1", "?role=staff"])
def test_the_people_page_costs_the_same_queries_with_more_people(
    ga_client, school, query, django_assert_num_queries
):
    """Its rows come in one statement (on PostgreSQL with the page's ids), whatever
    their roles and departments."""
    department = factories.DepartmentFactory(school=school)
    url = reverse("person_list") + query
    ga_client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        ga_client.get(url)
    for n in range(30):
        factories.user_with_role(Role.TECHNICIAN, school=school, department=department)
        factories.technician(school, username=f"t{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = ga_client.get(url)
    assert response.status_code == 200
