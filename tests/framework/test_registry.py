"""Apps plug in by convention: ``registry.autodiscover`` loads the conventional modules
that exist and registers what they declare; a key registered twice is an error."""

import sys
import textwrap

import pytest
from django.core.exceptions import ImproperlyConfigured

from logistics.apps import LogisticsConfig
from logistics.bench import BenchData, BenchPage, BenchTiming
from logistics.common.registry import (
    CONVENTION,
    AlreadyRegistered,
    DemoSeeder,
    DocumentKind,
    HomeCard,
    MenuGroup,
    MenuItem,
    Registry,
    Section,
    registry,
)
from logistics.common.reminders import ReminderRule


class Rule(ReminderRule):
    name = "test_rule"

    def due(self, now):
        return []


def _nothing(*args, **kwargs):
    return {}


# Each kind of declaration, registered once and then again under the same key.
DECLARATIONS = {
    "menu group": lambda r: r.register_menu_group(MenuGroup("g", "G", "bi-x")),
    "menu entry": lambda r: r.register_menu_item(MenuItem("Home", "home", group="core")),
    "home card": lambda r: r.register_home_card(HomeCard("c", "c.html", _nothing)),
    "section": lambda r: r.register_section(Section("s", "S", _nothing, "s.html")),
    "reminder rule": lambda r: r.register_reminder(Rule()),
    "tick job": lambda r: r.register_tick_job("job", _nothing),
    "document kind": lambda r: r.register_document_kind(DocumentKind("d", "D", "d.html", _nothing)),
    "media folder": lambda r: r.register_media("things", _nothing),
    "demo seeder": lambda r: r.register_demo_seeder(DemoSeeder("demo", _nothing)),
    "bench data": lambda r: r.register_bench_data(BenchData("rows", _nothing)),
    "bench page": lambda r: r.register_bench_page(BenchPage("page", "/", target=None)),
    "bench timing": lambda r: r.register_bench_timing(BenchTiming("t", "T", run=_nothing)),
}


def _own():
    own = Registry()
    own.register_menu_group(MenuGroup("core", "Core", "bi-house"))
    return own


@pytest.mark.parametrize("kind", list(DECLARATIONS))
def test_a_key_registered_twice_is_refused(kind):
    own = _own()
    DECLARATIONS[kind](own)
    with pytest.raises(AlreadyRegistered, match="registered already"):
        DECLARATIONS[kind](own)


def test_every_kind_of_declaration_is_covered():
    attributes = {attribute for names in CONVENTION.values() for attribute in names}
    assert len(DECLARATIONS) == len(attributes) == 12


def test_a_bench_placeholder_may_be_replaced_once():
    own = Registry()
    own.register_bench_timing(BenchTiming("pdf", "PDF", note="n/a"))
    own.register_bench_timing(BenchTiming("pdf", "PDF", run=_nothing))
    assert own.bench_timings["pdf"].run is _nothing
    with pytest.raises(AlreadyRegistered):
        own.register_bench_timing(BenchTiming("pdf", "PDF", run=_nothing))


def test_a_menu_entry_needs_its_group():
    with pytest.raises(ImproperlyConfigured, match="no menu group 'nowhere'"):
        Registry().register_menu_item(MenuItem("Home", "home", group="nowhere"))


def test_a_media_folder_is_a_plain_prefix():
    with pytest.raises(ImproperlyConfigured, match="not a media prefix"):
        Registry().register_media("../etc", _nothing)


def test_media_are_read_through_the_longest_prefix(make_user, school):
    own = Registry()
    own.register_media("things", lambda user, name: False)
    own.register_media("things/open", lambda user, name: True)
    user = make_user(None, school)
    assert own.may_read_media(user, "things/open/2026/a.jpg")
    assert not own.may_read_media(user, "things/closed/a.jpg")
    assert not own.may_read_media(user, "other/a.jpg")
    assert own.media_resolver("thingsandmore/a.jpg") is None


# --- Autodiscovery -----------------------------------------------------------------------


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A package ``houqin_test_plugin`` with a menu and sections, and no other module of
    the convention."""
    package = tmp_path / "houqin_test_plugin"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "menu.py").write_text(
        textwrap.dedent(
            """
            from logistics.common.registry import MenuGroup, MenuItem

            menu_groups = [MenuGroup("plugin", "Plug-in", "bi-plug", order=50)]
            menu_items = [MenuItem("Notifications", "notification_list", group="plugin")]
            """
        )
    )
    (package / "sections.py").write_text(
        textwrap.dedent(
            """
            from logistics.common.registry import Section

            sections = [Section("plugin", "Plug-in", dict, "plugin/dashboard_section.html")]
            # Not a declaration of a sections module: never read.
            menu_items = ["not a menu entry"]
            """
        )
    )
    (package / "helpers.py").write_text("raise RuntimeError('not a conventional module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "houqin_test_plugin"
    for name in [n for n in sys.modules if n.startswith("houqin_test_plugin")]:
        del sys.modules[name]


def test_autodiscover_loads_only_the_modules_that_exist(plugin):
    own = Registry()
    loaded = own.autodiscover(plugin)
    assert [m.__name__ for m in loaded] == [f"{plugin}.menu", f"{plugin}.sections"]
    assert list(own.menu_groups) == ["plugin"]
    assert list(own.menu_items) == ["notification_list"]
    assert list(own.sections) == ["plugin"]
    for name in CONVENTION:
        if name not in ("menu", "sections"):
            assert f"{plugin}.{name}" not in sys.modules
    assert f"{plugin}.helpers" not in sys.modules
    assert not (own.home_cards or own.reminder_rules or own.tick_jobs or own.media)


def test_an_app_loaded_twice_is_refused(plugin):
    own = Registry()
    own.autodiscover(plugin)
    with pytest.raises(AlreadyRegistered):
        own.autodiscover(plugin)


def test_a_conventional_module_that_fails_to_import_raises(plugin, tmp_path):
    (tmp_path / plugin / "reminders.py").write_text("import houqin_no_such_module\n")
    with pytest.raises(ModuleNotFoundError, match="houqin_no_such_module"):
        Registry().autodiscover(plugin)


def test_the_core_and_safety_load_into_a_registry_of_their_own():
    """What ``ready()`` does, again into an empty registry: the same declarations."""
    own = Registry()
    for part in (*LogisticsConfig.parts, "safety"):
        own.autodiscover(part)
    for store in (
        "menu_groups",
        "menu_items",
        "home_cards",
        "sections",
        "reminder_rules",
        "tick_jobs",
        "document_kinds",
        "media",
        "demo_seeders",
        "bench_data",
        "bench_pages",
        "bench_timings",
    ):
        assert getattr(own, store).keys() == getattr(registry, store).keys(), store


def test_what_the_apps_declare():
    assert list(registry.menu_groups) == ["overview", "setup", "repairs", "safety"]
    assert list(registry.reminder_rules) == [
        "semester_ending",
        "no_current_semester",
        "ticket_overdue",
        "safety_inspection_assigned",
        "safety_inspection_overdue",
        "safety_hazard_overdue",
        "safety_monthly_report",
    ]
    assert set(registry.tick_jobs) == {
        "imports_resume",
        "tickets_auto_confirm",
        "documents_resume",
        "safety_inspections_plan",
    }
    assert set(registry.document_kinds) == {
        "semester_summary",
        "repair_stickers",
        "safety_monthly_report",
    }
    assert set(registry.media) == {"repairs", "safety"}
    assert [s.key for s in registry.demo_seeders_in_order()] == ["repairs", "safety"]
    assert [s.key for s in registry.summary_sections()] == ["repairs", "safety"]
    assert set(registry.home_cards) == {
        "me",
        "school",
        "district",
        "repairs_requester",
        "repairs_technician",
        "repairs_school",
        "safety_mine",
        "safety_school",
    }
