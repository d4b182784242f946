"""The list toolkit: a paginator told its count, a list's filtering and sorting
(``Listing``), and columns declared once for a page's header and an export's cells."""

import pytest
from django.http import QueryDict

from logistics.common.listing import listing, sort_fields_of, sorted_by
from logistics.common.pagination import CountedPaginator
from logistics.common.spreadsheets import ROW_NUMBER, Column, export_rows
from logistics.filters import RoomFilter
from logistics.models import Room
from tests import factories


class CountingList(list):
    """A list that fails the test if the paginator asks it for its size."""

    def count(self, *args):
        raise AssertionError("the paginator counted the list")

    def __len__(self):
        raise AssertionError("the paginator measured the list")


class TestCountedPaginator:
    def test_a_given_number_is_the_count(self):
        paginator = CountedPaginator(CountingList(range(10)), 3, count=10)
        assert paginator.count == 10
        assert paginator.num_pages == 4
        assert list(paginator.page(4).object_list) == [9]

    def test_a_callable_is_asked_once_when_first_needed(self):
        calls = []

        def count():
            calls.append(1)
            return 7

        paginator = CountedPaginator(CountingList(range(7)), 5, count=count)
        assert calls == []
        assert paginator.num_pages == 2 and paginator.count == 7
        assert paginator.page(2).has_previous()
        assert calls == [1]

    def test_the_paginators_own_arguments_still_apply(self):
        paginator = CountedPaginator(
            CountingList(range(11)), 5, orphans=1, allow_empty_first_page=False, count=11
        )
        assert paginator.num_pages == 2
        empty = CountedPaginator(CountingList(), 5, allow_empty_first_page=False, count=0)
        assert empty.num_pages == 0

    def test_the_count_may_differ_from_the_list(self):
        """It is the caller's word (a counter kept elsewhere): the pages follow it."""
        paginator = CountedPaginator(CountingList(range(3)), 10, count=25)
        assert paginator.num_pages == 3


def test_export_rows_read_each_columns_value_and_number_the_rows():
    columns = [
        Column("index", "No.", value=ROW_NUMBER),
        Column("name", "Name", value=lambda r: r["name"]),
        Column("double", "Double", value=lambda r: r["n"] * 2),
    ]
    records = iter([{"name": "a", "n": 1}, {"name": "b", "n": 5}])
    assert list(export_rows(columns, records)) == [[1, "a", 2], [2, "b", 10]]


def test_a_columns_heading_offers_its_sort_only_when_it_has_one():
    assert Column("room", "Room", sort="room__number").heading() == ("Room", "room")
    assert Column("requester", "Requester").heading() == ("Requester", None)
    columns = [Column("room", "Room", sort="room__number"), Column("x", "X")]
    assert sort_fields_of(columns) == {"room": "room__number"}


@pytest.mark.django_db
class TestListing:
    def rooms(self, school):
        building = factories.BuildingFactory(school=school, name="B")
        return [
            factories.RoomFactory(building=building, number=number, floor=floor)
            for number, floor in (("301", 3), ("101", 1), ("201", 2))
        ]

    def test_sorted_by_a_known_key_either_way_else_the_default(self, school):
        rooms = self.rooms(school)
        queryset = Room.objects.filter(pk__in=[r.pk for r in rooms])
        fields = {"number": "number"}
        found, key = sorted_by(queryset, "-number", fields, ("floor",))
        assert key == "-number"
        assert [r.number for r in found] == ["301", "201", "101"]
        found, key = sorted_by(queryset, "nonsense", fields, ("-floor",))
        assert key == "" and [r.floor for r in found] == [3, 2, 1]

    def test_listing_filters_with_the_address_and_sorts(self, school, general_affairs):
        rooms = self.rooms(school)
        params = QueryDict("floor=2&sort=number")
        found = listing(
            Room.objects.for_user(general_affairs),
            params,
            filterset_class=RoomFilter,
            filterset_kwargs={"user": general_affairs},
            sort_fields={"number": "number"},
        )
        assert found.sort == "number" and found.filterset is not None
        assert list(found.rows) == [rooms[2]]
        assert found.count is None

    def test_no_address_an_unbound_filter_set(self, school, general_affairs):
        self.rooms(school)
        found = listing(
            Room.objects.for_user(general_affairs),
            QueryDict(""),
            filterset_class=RoomFilter,
            filterset_kwargs={"user": general_affairs},
            default_sort=("number",),
        )
        assert not found.filterset.is_bound and found.sort == ""
        assert [r.number for r in found.rows] == ["101", "201", "301"]
