"""Where the apps plug into the portal: the menu, the home page, the dashboard and summary
sections, the reminders and the tick, printed documents, media folders, the demo and the
benchmark.

An app (and each part of the core: ``logistics``, ``logistics.repairs``,
``logistics.documents``) declares what it brings in modules named by ``CONVENTION``:
``menu.py`` holds ``menu_groups`` and ``menu_items``, ``home_cards.py`` its
``home_cards``, ``sections.py`` its ``sections``, ``reminders.py`` its
``reminder_rules`` and ``tick_jobs``, ``documents.py`` its ``document_kinds``,
``media.py`` its ``media`` folders, ``demo.py`` its ``demo_seeders`` and ``bench.py`` its
``bench_data``, ``bench_pages`` and ``bench_timings``. Its ``AppConfig.ready()`` calls
``registry.autodiscover(package)``, which imports whichever of those modules exist and
registers what they declare (after Django's admin ``autodiscover`` and NetBox's plug-in
resources). The modules hold data, not wiring: signals and library settings live in the
app's ``signals.py`` (the core's ``wiring.py``).

The stores are fixed, and a key registered twice is an error (``AlreadyRegistered``): two
apps cannot silently replace each other's menu entry, reminder rule or media folder.
``logistics`` never imports a domain app; render caches (the side menu's HTML) live next
to their renderer, not here. A menu entry names its page's permissions, which its view
declares (``logistics.common.permissions``): the two are held equal by a test.
"""

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

from logistics.common.permissions import permitted


class AlreadyRegistered(ImproperlyConfigured):
    """A key registered twice (two apps, or one app loaded twice)."""


@dataclass(frozen=True)
class MenuGroup:
    """A heading of the side menu; its entries name it (``MenuItem.group``)."""

    key: str
    label: Any
    icon: str
    order: int = 100


@dataclass(frozen=True)
class MenuItem:
    """An entry of the side menu: a page (``url_name``, no arguments) under a group,
    shown to those who hold ``permissions`` — the permissions its view declares."""

    label: Any
    url_name: str
    permissions: tuple = ()
    group: str = ""
    # Within the group; entries of equal order keep the order they were registered in.
    order: int = 100

    def visible_to(self, user):
        return permitted(user, self.permissions)


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: a template and a function building its context.

    The template reads its context as ``c``, and ``user`` and ``perms`` (what the user may
    open), nothing else (no request, no CSRF token): it is drawn once for each value of
    those (``logistics.common.markup.drawn``), so ``context(request)`` returns values
    (figures, names, dates, model instances), never lazy querysets."""

    key: str
    template: str
    context: Callable[[Any], dict]
    permissions: tuple = ()
    order: int = 100
    needs_school: bool = False
    # For the people of a district (its viewers): the card reads the district's schools.
    needs_district: bool = False

    def visible_to(self, user):
        if self.needs_school and user.school_id is None:
            return False
        if self.needs_district and user.district_id is None:
            return False
        return permitted(user, self.permissions)


@dataclass(frozen=True)
class Section:
    """An app's part of the dashboard and of the semester summary.

    ``figures(school, start, end)`` returns the section's figures for a period, read by
    the same selectors as the app's own pages, so the dashboard, the summary and the
    pages never disagree; ``template`` shows them (context: ``section``, ``figures``).
    """

    key: str
    title: Any
    figures: Callable[..., dict]
    template: str
    permissions: tuple[str, ...] = ()
    order: int = 100
    # The section in the printed summary (context: ``section``, ``figures``): tables and
    # charts in the document's plain style (logistics/templates: documents/document.html).
    print_template: str = ""
    # ``placeholders(figures)`` → ``[Placeholder]``: the named figures a narrative may use
    # ("水工工单数"), taken from the same figures as the tables.
    placeholders: Callable[[dict], list] | None = None
    # ``changes_at(school, start, end, now=…)`` → when the figures next change with time
    # alone (an aware datetime, or None: only by a write). With it the dashboard keeps
    # the figures under the school's figures stamp until then
    # (``logistics.common.figures``): every record they count must raise the stamp.
    changes_at: Callable[..., Any] | None = None

    def visible_to(self, user):
        return permitted(user, self.permissions)


@dataclass(frozen=True)
class Placeholder:
    """A named figure of a narrative: ``{name}`` is replaced by ``value`` when printed."""

    name: str
    value: Any
    help: Any = ""


@dataclass(frozen=True)
class DocumentKind:
    """A kind of printed document (``logistics.models.Document``) an app makes, always
    in the background (``logistics.documents.services.documents``: a Celery task, its progress on
    the document's page, a download when ready).

    ``context(document)`` returns the template's context for the document's school,
    period and ``params`` (it may call ``progress(percent, stage)`` given as a keyword);
    ``template`` is one of our templates, rendered by ``logistics.documents.pdf.render_pdf``.

    ``read`` and ``make`` are the permissions to download and to ask for one: a tuple of
    permission names (all needed), or a tuple of such tuples (any one of them is enough).

    The optional parts:

    - ``clean_params(school, params)``: checks the kind's own choices (a building, a
      floor…) and returns them normalised (the same choices give equal dicts, keys in a
      fixed order); raises ``ValidationError`` with a message for the person asking. A
      kind without it takes none.
    - ``fingerprint(school, params)``: a digest of every record the document shows; a
      request whose digest equals the newest ready version's gets that version, any
      change makes a new one. Without it, every request (but one that joins a run)
      makes a new version.
    - ``describe(document)``: what the document is of beyond its school and period
      ("求真楼, floor 3"), on its page and in lists.
    - ``filename(document)`` and ``ascii_filename(document)``: the download's names.
    - ``index_url``: the URL name of the page the kind is asked for from (its page links
      back to it).
    """

    key: str
    title: Any
    template: str
    context: Callable[..., dict]
    read: tuple = ()
    make: tuple = ()
    filename: Callable[[Any], str] | None = None
    ascii_filename: Callable[[Any], str] | None = None
    clean_params: Callable[[Any, dict], dict] | None = None
    fingerprint: Callable[[Any, dict], str] | None = None
    describe: Callable[[Any], str] | None = None
    index_url: str = ""


@dataclass(frozen=True)
class DemoSeeder:
    """An app's part of ``manage.py seed_demo``: ``function(school, *, main, account)``.

    ``seed_demo`` calls every seeder, in ``order``, after its own data: for the demo
    school (``main=True``) and then its smaller neighbour (``main=False``);
    ``account(username, **fields)`` finds or makes a demo account. A seeder must be
    idempotent (``seed_demo`` runs as often as one likes) and may return its counts.
    """

    key: str
    function: Callable[..., Any]
    order: int = 100


# The conventional modules of an app and what each declares: a list of declarations, or
# (``tick_jobs``, ``media``) a dict of key → callable. ``Registry.register_module`` reads
# them; the names below are the only ones it reads.
CONVENTION = {
    "menu": ("menu_groups", "menu_items"),
    "home_cards": ("home_cards",),
    "sections": ("sections",),
    "reminders": ("reminder_rules", "tick_jobs"),
    "documents": ("document_kinds",),
    "media": ("media",),
    "demo": ("demo_seeders",),
    "bench": ("bench_data", "bench_pages", "bench_timings"),
}


class Registry:
    """The stores every app registers into (plain dicts, read by the portal)."""

    def __init__(self):
        self.menu_groups: dict[str, MenuGroup] = {}
        self.menu_items: dict[str, MenuItem] = {}  # by URL name: a page is in the menu once
        self.home_cards: dict[str, HomeCard] = {}
        self.sections: dict[str, Section] = {}
        self.reminder_rules: dict[str, Any] = {}
        # Jobs the tick runs before the reminders: callables taking ``now``.
        self.tick_jobs: dict[str, Callable[[Any], Any]] = {}
        # Printed documents (logistics.documents.services.documents), by key.
        self.document_kinds: dict[str, DocumentKind] = {}
        # Who may read the uploads under a folder: ``readable(user, name)`` by prefix.
        self.media: dict[str, Callable[..., bool]] = {}
        # The apps' demo records (``manage.py seed_demo``), by key.
        self.demo_seeders: dict[str, DemoSeeder] = {}
        # The benchmark (logistics/bench): data generators, measured pages, timed jobs.
        self.bench_data: dict[str, Any] = {}
        self.bench_pages: dict[str, Any] = {}
        self.bench_timings: dict[str, Any] = {}

    @staticmethod
    def _add(store, kind, key, value):
        if key in store:
            raise AlreadyRegistered(f"{kind} {key!r} is registered already")
        store[key] = value

    # --- Loading an app's declarations ------------------------------------------------

    def autodiscover(self, package) -> list:
        """Import whichever of ``package``'s conventional modules exist (``CONVENTION``)
        and register what they declare; returns the modules loaded. A module that exists
        but fails to import raises, as any import does."""
        root = importlib.import_module(package)
        loaded = []
        for name in CONVENTION:
            if module_has_submodule(root, name):
                module = importlib.import_module(f"{package}.{name}")
                self.register_module(module)
                loaded.append(module)
        return loaded

    def register_module(self, module):
        """Register what a conventional module declares (its kind is its last name)."""
        kind = module.__name__.rsplit(".", 1)[-1]
        for attribute in CONVENTION[kind]:
            declared = getattr(module, attribute, None)
            if declared is None:
                continue
            register = getattr(self, f"_register_{attribute}")
            if isinstance(declared, dict):
                for key, value in declared.items():
                    register(key, value)
            else:
                for value in declared:
                    register(value)

    # --- The menu ---------------------------------------------------------------------

    def register_menu_group(self, group: MenuGroup):
        self._add(self.menu_groups, "menu group", group.key, group)

    def register_menu_item(self, item: MenuItem):
        """An entry under a group registered before it (the core's parts load first,
        then the apps in ``INSTALLED_APPS`` order)."""
        if item.group not in self.menu_groups:
            raise ImproperlyConfigured(
                f"menu entry {item.url_name!r}: no menu group {item.group!r} (yet)"
            )
        self._add(self.menu_items, "menu entry for the page", item.url_name, item)

    def menu_item(self, url_name) -> MenuItem:
        """The menu entry of a page (a ``LookupError`` if the menu has none)."""
        try:
            return self.menu_items[url_name]
        except KeyError:
            raise LookupError(f"no menu entry for the page {url_name!r}") from None

    def menu_for(self, user) -> list[tuple[MenuGroup, list[MenuItem]]]:
        items = sorted(self.menu_items.values(), key=lambda item: item.order)
        groups = []
        for group in sorted(self.menu_groups.values(), key=lambda g: g.order):
            shown = [i for i in items if i.group == group.key and i.visible_to(user)]
            if shown:
                groups.append((group, shown))
        return groups

    # --- The home page, the dashboard and the summary ---------------------------------

    def register_home_card(self, card: HomeCard):
        self._add(self.home_cards, "home card", card.key, card)

    def home_cards_for(self, user) -> Iterable[HomeCard]:
        cards = [c for c in self.home_cards.values() if c.visible_to(user)]
        return sorted(cards, key=lambda c: c.order)

    def register_section(self, section: Section):
        self._add(self.sections, "section", section.key, section)

    def summary_sections(self) -> list[Section]:
        """Every registered section, in order: the semester summary prints them all."""
        return sorted(self.sections.values(), key=lambda s: (s.order, s.key))

    def sections_for(self, user) -> list[Section]:
        return sorted(
            (s for s in self.sections.values() if s.visible_to(user)), key=lambda s: s.order
        )

    # --- Reminders, the tick and printed documents ------------------------------------

    def register_reminder(self, rule):
        """A ``logistics.common.reminders.ReminderRule``, by its ``name``."""
        self._add(self.reminder_rules, "reminder rule", rule.name, rule)

    def register_tick_job(self, key, job):
        """``job(now)`` runs on every tick (e.g. closing tickets nobody confirmed)."""
        self._add(self.tick_jobs, "tick job", key, job)

    def register_document_kind(self, kind: DocumentKind):
        self._add(self.document_kinds, "document kind", kind.key, kind)

    # --- Media ------------------------------------------------------------------------

    def register_media(self, prefix, readable):
        """``readable(user, name)``: may ``user`` read the upload ``name`` stored under
        ``prefix/``? A file whose folder no app claims is served to nobody."""
        from logistics.common.uploads import PREFIX_PATTERN

        if not PREFIX_PATTERN.fullmatch(prefix):
            raise ImproperlyConfigured(f"not a media prefix: {prefix!r}")
        self._add(self.media, "media folder", prefix, readable)

    def media_resolver(self, name):
        """The ``readable`` of the longest registered prefix ``name`` lies under, or None."""
        for prefix in sorted(self.media, key=len, reverse=True):
            if name.startswith(prefix + "/"):
                return self.media[prefix]
        return None

    def may_read_media(self, user, name) -> bool:
        readable = self.media_resolver(name)
        return bool(readable is not None and readable(user, name))

    # --- The demo and the benchmark ---------------------------------------------------

    def register_demo_seeder(self, seeder: DemoSeeder):
        self._add(self.demo_seeders, "demo seeder", seeder.key, seeder)

    def demo_seeders_in_order(self) -> list[DemoSeeder]:
        return sorted(self.demo_seeders.values(), key=lambda s: (s.order, s.key))

    def register_bench_data(self, data):
        """A ``logistics.bench.BenchData``: fills the bench database with an app's rows."""
        self._add(self.bench_data, "bench data", data.key, data)

    def register_bench_page(self, page):
        """A ``logistics.bench.BenchPage``: a page ``make bench`` measures, with its target."""
        self._add(self.bench_pages, "bench page", page.key, page)

    def register_bench_timing(self, timing):
        """A ``logistics.bench.BenchTiming``: an in-process job timed against a bare one.

        A placeholder (no ``run``: printed as its ``note``) may be replaced by the real
        timing; anything else registered twice is an error."""
        held = self.bench_timings.get(timing.key)
        if held is not None and held.run is None:
            del self.bench_timings[timing.key]
        self._add(self.bench_timings, "bench timing", timing.key, timing)

    # What ``register_module`` calls for each declared attribute.
    _register_menu_groups = register_menu_group
    _register_menu_items = register_menu_item
    _register_home_cards = register_home_card
    _register_sections = register_section
    _register_reminder_rules = register_reminder
    _register_tick_jobs = register_tick_job
    _register_document_kinds = register_document_kind
    _register_media = register_media
    _register_demo_seeders = register_demo_seeder
    _register_bench_data = register_bench_data
    _register_bench_pages = register_bench_page
    _register_bench_timings = register_bench_timing


registry = Registry()
