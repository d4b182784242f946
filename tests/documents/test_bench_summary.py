"""The bench's summary PDF timing at a small scale: the summary of a small school's
current semester and the bare table of as many pages both render and give positive
seconds; the bare table has the summary's page count; the peak memory is measured."""

import pytest

from logistics.bench import BenchSite
from logistics.choices import Role
from logistics.common.registry import registry
from logistics.documents import bench
from tests import factories
from tests.safety_factories import HazardFactory


@pytest.fixture
def site(school, general_affairs):
    factories.SemesterFactory(school=school, is_current=True)
    factories.SemesterFactory(school=school, academic_year=2025, is_current=False)
    for _i in range(3):
        HazardFactory(school=school)
    return BenchSite(school, general_affairs)


def test_the_timing_is_registered_with_its_target():
    timing = registry.bench_timings["summary_pdf"]
    assert timing.run is bench.time_summary and timing.baseline is bench.time_bare
    assert timing.target == 0.5
    assert "vs bare WeasyPrint" in str(timing.label)


@pytest.mark.django_db
def test_run_and_baseline_on_a_small_school(site):
    bench.LAST.clear()
    seconds = bench.time_summary(site)
    assert seconds > 0
    figures = bench.LAST[site.school.pk]
    assert figures["pages"] >= 1
    bare = bench.time_bare(site)
    assert bare > 0
    assert figures["bare_pages"] == figures["pages"]
    # Measured in a forked copy; a render needs some memory.
    assert figures["peak_mb"] is None or figures["peak_mb"] > 0
    assert figures["bare_peak_mb"] is None or figures["bare_peak_mb"] > 0
    label = str(registry.bench_timings["summary_pdf"].label)
    assert f"{figures['pages']} pages" in label
    if figures["peak_mb"] is not None:
        assert "peak RSS +" in label


@pytest.mark.django_db
def test_the_baseline_alone_first_renders_the_summary(site):
    bench.LAST.clear()
    assert bench.time_bare(site, memory=False) > 0
    figures = bench.LAST[site.school.pk]
    assert figures["bare_pages"] == figures["pages"]


@pytest.mark.parametrize("pages", [1, 2, 3])
def test_the_bare_table_has_the_pages_asked_for(pages):
    rows = bench.bare_rows_for(pages)
    assert bench.bare_pages(rows) == pages
    if rows > 1:
        assert bench.bare_pages(rows - 1) <= pages


@pytest.mark.django_db
def test_a_school_without_a_semester_is_an_error(school, make_user):
    site = BenchSite(school, make_user(Role.GENERAL_AFFAIRS, school))
    with pytest.raises(RuntimeError, match="no semester"):
        bench.time_summary(site)


def test_peak_memory_of_a_forked_copy():
    def work():
        block = bytearray(64 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])

    peak = bench.peak_memory_mb(work)
    if peak is not None:  # Linux
        assert 60 <= peak <= 200
