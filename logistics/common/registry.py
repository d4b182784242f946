"""Where the apps plug into the portal: the menu, the home page and the reminder tick.

Each app registers its pieces in ``AppConfig.ready()``; ``logistics`` never imports a
domain app. There is one declarative menu, so a page and its menu entry share one
permission.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    label: Any
    url_name: str
    permissions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def visible_to(self, user):
        if self.permissions and not user.has_perms(self.permissions):
            return False
        return not self.roles or user.is_superuser or user.has_role(*self.roles)


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Any
    icon: str
    items: tuple[MenuItem, ...]
    order: int = 100


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: a template and a function building its context."""

    key: str
    template: str
    context: Callable[[Any], dict]
    permissions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    order: int = 100
    needs_school: bool = False

    def visible_to(self, user):
        if self.needs_school and user.school_id is None:
            return False
        if self.permissions and not user.has_perms(self.permissions):
            return False
        return not self.roles or user.has_role(*self.roles)


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

    def visible_to(self, user):
        return not self.permissions or user.has_perms(self.permissions)


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
    """An app's part of ``manage.py seed_demo``: ``function(school, *, main, account)``."""

    key: str
    function: Callable[..., Any]
    order: int = 100


@dataclass
class Registry:
    menu: dict[str, MenuGroup] = field(default_factory=dict)
    home_cards: dict[str, HomeCard] = field(default_factory=dict)
    reminder_rules: dict[str, Any] = field(default_factory=dict)
    # Jobs the tick runs before the reminders: callables taking ``now``.
    tick_jobs: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    sections: dict[str, Section] = field(default_factory=dict)
    # The side menu's HTML per (roles, superuser, language, page): see houqin.sidebar_menu.
    menu_html: dict = field(default_factory=dict)
    # The benchmark (logistics/bench): data generators, measured pages, timed jobs.
    bench_data: dict[str, Any] = field(default_factory=dict)
    bench_pages: dict[str, Any] = field(default_factory=dict)
    bench_timings: dict[str, Any] = field(default_factory=dict)
    # The apps' demo records (``manage.py seed_demo``), by key.
    demo_seeders: dict[str, DemoSeeder] = field(default_factory=dict)
    # Printed documents (logistics.documents.services.documents), by key.
    document_kinds: dict[str, DocumentKind] = field(default_factory=dict)

    def register_menu(self, group: MenuGroup):
        self.menu[group.key] = group

    def register_home_card(self, card: HomeCard):
        self.home_cards[card.key] = card

    def register_reminder(self, rule):
        self.reminder_rules[rule.name] = rule

    def register_tick_job(self, key, job):
        """``job(now)`` runs on every tick (e.g. closing tickets nobody confirmed)."""
        self.tick_jobs[key] = job

    def register_section(self, section: Section):
        self.sections[section.key] = section

    def register_document_kind(self, kind: DocumentKind):
        self.document_kinds[kind.key] = kind

    def summary_sections(self) -> list[Section]:
        """Every registered section, in order: the semester summary prints them all."""
        return sorted(self.sections.values(), key=lambda s: (s.order, s.key))

    def sections_for(self, user) -> list[Section]:
        return sorted(
            (s for s in self.sections.values() if s.visible_to(user)), key=lambda s: s.order
        )

    def register_bench_data(self, data):
        """A ``logistics.bench.BenchData``: fills the bench database with an app's rows."""
        self.bench_data[data.key] = data

    def register_bench_page(self, page):
        """A ``logistics.bench.BenchPage``: a page ``make bench`` measures, with its target."""
        self.bench_pages[page.key] = page

    def register_bench_timing(self, timing):
        """A ``logistics.bench.BenchTiming``: an in-process job timed against a bare one.

        Registering under a key that exists replaces it (a placeholder until then)."""
        self.bench_timings[timing.key] = timing

    def register_demo_seeder(self, key, function, order=100):
        """``function(school, *, main, account)`` gives a demo school an app's records.

        ``seed_demo`` calls every seeder, in ``order``, after its own data: for the demo
        school (``main=True``) and then its smaller neighbour (``main=False``);
        ``account(username, **fields)`` finds or makes a demo account. A seeder must be
        idempotent (``seed_demo`` runs as often as one likes) and may return its counts.
        """
        self.demo_seeders[key] = DemoSeeder(key, function, order)

    def demo_seeders_in_order(self) -> list[DemoSeeder]:
        return sorted(self.demo_seeders.values(), key=lambda s: (s.order, s.key))

    def menu_item(self, url_name) -> MenuItem:
        """The menu entry of a page (a ``LookupError`` if the menu has none)."""
        for group in self.menu.values():
            for item in group.items:
                if item.url_name == url_name:
                    return item
        raise LookupError(f"no menu entry for the page {url_name!r}")

    def may_open(self, user, url_name) -> bool:
        """Whether ``user`` may open the page of a menu entry: the entry's own permission
        (which is its page's), so a link elsewhere (a home card) agrees with the menu."""
        return self.menu_item(url_name).visible_to(user)

    def menu_for(self, user) -> list[tuple[MenuGroup, list[MenuItem]]]:
        groups = []
        for group in sorted(self.menu.values(), key=lambda g: g.order):
            items = [item for item in group.items if item.visible_to(user)]
            if items:
                groups.append((group, items))
        return groups

    def home_cards_for(self, user) -> Iterable[HomeCard]:
        cards = [c for c in self.home_cards.values() if c.visible_to(user)]
        return sorted(cards, key=lambda c: c.order)


registry = Registry()
