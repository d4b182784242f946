"""The rooms list's filter fields are kept under the school's figures stamp
(``logistics.views.setup.kept_filter_fields``): the same markup as drawn afresh, a new
building listed at once, the filters asked shown as asked."""

import pytest

from logistics.services.organisation import building_save
from tests import factories


@pytest.mark.django_db
def test_the_rooms_filter_lists_a_new_building_at_once(ga_client, school):
    factories.BuildingFactory(school=school, name="一号楼")
    page = ga_client.get("/setup/rooms/").content.decode()
    assert "一号楼" in page and "实验楼" not in page
    assert ga_client.get("/setup/rooms/").content.decode().count("一号楼") == page.count("一号楼")
    campus = factories.CampusFactory(school=school)
    building_save(school=school, name="实验楼", campus=campus, floors_above=3)
    assert "实验楼" in ga_client.get("/setup/rooms/").content.decode()


@pytest.mark.django_db
def test_the_filters_asked_are_shown_as_asked(ga_client, school):
    building = factories.BuildingFactory(school=school, name="一号楼")
    asked = ga_client.get(f"/setup/rooms/?building={building.pk}").content.decode()
    assert f'<option value="{building.pk}" selected>' in asked
    plain = ga_client.get("/setup/rooms/").content.decode()
    assert f'<option value="{building.pk}" selected>' not in plain
