import pytest
from django.core.exceptions import ValidationError

from logistics.choices import Role, Trade
from logistics.models import StatusChange, User
from logistics.services.people import person_create, person_set_active, person_update
from tests import factories


def _person_data(**overrides):
    data = {
        "username": "lishifu",
        "name": "李师傅",
        "phone": "13900000000",
        "email": "li@example.cn",
        "roles": [Role.TECHNICIAN],
        "trades": [Trade.PLUMBING, Trade.ELECTRICAL],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
class TestPeoplePages:
    def test_create_shows_temporary_password_once_and_forces_change(self, ga_client, client):
        response = ga_client.post("/setup/people/new/", _person_data(), follow=True)
        assert response.status_code == 200
        person = User.objects.get(username="lishifu")
        assert person.must_change_password
        assert set(person.trades.values_list("trade", flat=True)) == {"plumbing", "electrical"}
        password = response.context["temporary_password"]
        assert password in response.content.decode()
        # The new person signs in with it and is sent to change it first.
        client.logout()
        assert client.login(username="lishifu", password=password)
        response = client.get("/")
        assert response.status_code == 302 and response.url == "/accounts/password/"
        response = client.post(
            "/accounts/password/",
            {
                "old_password": password,
                "new_password1": "Qiuzhen-lou-2026",
                "new_password2": "Qiuzhen-lou-2026",
            },
        )
        assert response.status_code == 302
        assert client.get("/").status_code == 200
        person.refresh_from_db()
        assert not person.must_change_password

    def test_duplicate_user_name_is_a_form_error(self, ga_client, other_school):
        factories.UserFactory(username="lishifu", school=other_school)
        response = ga_client.post("/setup/people/new/", _person_data())
        assert response.status_code == 200
        assert "username" in response.context["form"].errors

    def test_trades_only_for_technicians(self, ga_client):
        response = ga_client.post("/setup/people/new/", _person_data(roles=[Role.STAFF]))
        assert response.status_code == 200
        assert "trades" in response.context["form"].errors
        assert not User.objects.filter(username="lishifu").exists()

    def test_district_role_cannot_be_given(self, ga_client):
        response = ga_client.post(
            "/setup/people/new/", _person_data(roles=[Role.DISTRICT_VIEWER], trades=[])
        )
        assert "roles" in response.context["form"].errors

    def test_disable_and_enable_are_recorded(self, ga_client, school, general_affairs):
        person = factories.user_with_role(Role.STAFF, school=school)
        ga_client.post(f"/setup/people/{person.pk}/active/", {"active": "0"})
        person.refresh_from_db()
        assert not person.is_active
        ga_client.post(f"/setup/people/{person.pk}/active/", {"active": "1"})
        person.refresh_from_db()
        assert person.is_active
        history = list(StatusChange.objects.filter(object_id=person.pk, content_type__model="user"))
        assert [(c.from_status, c.to_status) for c in history] == [
            ("active", "inactive"),
            ("inactive", "active"),
        ]
        assert {c.actor for c in history} == {general_affairs}
        page = ga_client.get(f"/setup/people/{person.pk}/").content.decode()
        assert "离职或停用" in page

    def test_cannot_disable_oneself(self, ga_client, general_affairs):
        response = ga_client.post(f"/setup/people/{general_affairs.pk}/active/", {"active": "0"})
        assert response.status_code == 403
        general_affairs.refresh_from_db()
        assert general_affairs.is_active

    def test_disabled_person_cannot_sign_in(self, client, school):
        person = factories.user_with_role(Role.STAFF, school=school)
        person_set_active(user=person, active=False)
        assert not client.login(username=person.username, password=factories.PASSWORD)

    def test_reset_password(self, ga_client, client, school):
        person = factories.user_with_role(Role.STAFF, school=school)
        response = ga_client.post(f"/setup/people/{person.pk}/reset-password/", follow=True)
        password = response.context["temporary_password"]
        assert password and password in response.content.decode()
        assert client.login(username=person.username, password=password)
        person.refresh_from_db()
        assert person.must_change_password

    def test_filter_by_role_and_search(self, ga_client, school):
        factories.user_with_role(Role.TECHNICIAN, school=school, name="李水工")
        factories.user_with_role(Role.STAFF, school=school, name="王老师")
        body = ga_client.get("/setup/people/?role=technician").content.decode()
        assert "李水工" in body and "王老师" not in body
        body = ga_client.get("/setup/people/?q=王").content.decode()
        assert "王老师" in body and "李水工" not in body


@pytest.mark.django_db
class TestPeopleServices:
    def test_cannot_remove_own_general_affairs_role(self, general_affairs):
        with pytest.raises(ValidationError):
            person_update(user=general_affairs, roles=[Role.STAFF], actor=general_affairs, name="x")
        assert general_affairs.has_role(Role.GENERAL_AFFAIRS)

    def test_department_of_another_school_is_refused(self, school, other_school):
        department = factories.DepartmentFactory(school=other_school)
        with pytest.raises(ValidationError):
            person_create(
                school=school,
                username="x1",
                name="x",
                roles=[Role.STAFF],
                department=department,
            )

    def test_weak_password_is_refused(self, school):
        with pytest.raises(ValidationError):
            person_create(
                school=school, username="x2", name="x", roles=[Role.STAFF], password="123"
            )
        assert not User.objects.filter(username="x2").exists()
