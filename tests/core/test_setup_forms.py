"""Writing through the set-up forms: the right role writes, a refused POST changes nothing."""

import pytest

from logistics.choices import Role
from logistics.models import Building, Campus, Department
from tests import factories

FORMS = [
    ("campuses", Campus, {"name": "新校区", "address": "湖塘镇", "is_active": "on"}),
    ("departments", Department, {"name": "后勤服务中心", "is_active": "on"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "model", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_general_affairs_creates_and_edits(ga_client, school, path, model, data):
    assert ga_client.post(f"/setup/{path}/new/", data).status_code == 302
    obj = model.objects.get(school=school, name=data["name"])
    response = ga_client.post(f"/setup/{path}/{obj.pk}/edit/", {**data, "name": "改名"})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.name == "改名"
    # The same name twice in one school is a form error in Chinese, nothing created.
    response = ga_client.post(f"/setup/{path}/new/", {**data, "name": "改名"})
    assert response.status_code == 200
    assert "本校已有同名" in response.content.decode()
    assert model.objects.filter(school=school).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "model", "data"), FORMS, ids=[f[0] for f in FORMS])
def test_a_refused_post_changes_nothing(client, make_user, school, other_school, path, model, data):
    principal = make_user(Role.PRINCIPAL, school)
    client.force_login(principal)
    assert client.post(f"/setup/{path}/new/", data).status_code == 403
    assert not model.objects.exists()
    # Another school's object, posted to by its rightful role elsewhere: 404, unchanged.
    foreign = model.objects.create(school=other_school, name="别校")
    client.force_login(make_user(Role.GENERAL_AFFAIRS, school))
    response = client.post(f"/setup/{path}/{foreign.pk}/edit/", {**data, "name": "被改"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "别校"


@pytest.mark.django_db
def test_a_building_cannot_be_put_on_another_schools_campus(ga_client, school, other_school):
    foreign_campus = factories.CampusFactory(school=other_school)
    response = ga_client.post(
        "/setup/buildings/new/",
        {"name": "求真楼", "campus": foreign_campus.pk, "floors_above": 5, "floors_below": 0},
    )
    assert response.status_code == 200
    assert "campus" in response.context["form"].errors
    assert not Building.objects.exists()
