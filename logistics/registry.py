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


@dataclass
class Registry:
    menu: dict[str, MenuGroup] = field(default_factory=dict)
    home_cards: dict[str, HomeCard] = field(default_factory=dict)
    reminder_rules: dict[str, Any] = field(default_factory=dict)
    # The benchmark (logistics/bench): data generators, measured pages, timed jobs.
    bench_data: dict[str, Any] = field(default_factory=dict)
    bench_pages: dict[str, Any] = field(default_factory=dict)
    bench_timings: dict[str, Any] = field(default_factory=dict)

    def register_menu(self, group: MenuGroup):
        self.menu[group.key] = group

    def register_home_card(self, card: HomeCard):
        self.home_cards[card.key] = card

    def register_reminder(self, rule):
        self.reminder_rules[rule.name] = rule

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
