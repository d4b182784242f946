"""The benchmark's plug-in points (``make bench``; README, "Benchmark").

An app adds its data and pages to the benchmark in its ``bench.py``, without touching
the harness (``registry.autodiscover`` registers them)::

    from logistics.bench import BenchData, BenchPage

    bench_data = [BenchData("tickets", generate_tickets, order=200)]
    bench_pages = [BenchPage("ticket_list", "/repairs/", target=0.6)]
    bench_timings = []  # BenchTiming: a job timed in-process against a bare one

The core's own (its places, people, semesters and notifications, its pages, the rooms
import) are in ``logistics.bench.core``; as this package is the core's ``bench`` module,
it hands them on (``__getattr__`` below).

``BenchData.generate(ctx)`` runs once per bench database, after the generators of lower
``order`` (the core's fill schools, places, people and semesters, order < 100), and
returns the number of rows it made per kind. It reads what earlier generators left in
``ctx`` (``ctx.get(school, "rooms")``, ``ctx.people(school, Role.TECHNICIAN)``) and
writes with ``ctx.bulk_create`` / ``ctx.copy`` (big batches; COPY for the big tables).

``BenchPage.url`` is a path, or a callable ``url(site)`` given a ``BenchSite`` (the
measured school and the user signed in) for pages that need an id. ``target`` is the
least acceptable requests/s as a fraction of a ceiling measured in the same run
(``against``: the bare 50-row table page, or the signed-in empty layout; see
``logistics.bench.runner``).

``BenchTiming`` is a job timed in-process against a bare version of the same work (the
rooms import against openpyxl + ``bulk_create``); one with no ``run`` is a placeholder
printed as ``note`` (the summary PDF, until it exists).
"""

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from logistics.choices import Role

# Every generated account signs in with this password.
BENCH_PASSWORD = "houqin-bench-password"  # noqa: S105 - throwaway bench data
# School codes of generated schools start with this.
SCHOOL_CODE_PREFIX = "bench-"


@dataclass(frozen=True)
class BenchData:
    key: str
    generate: Callable[["BenchContext"], dict[str, int]]
    order: int = 100


@dataclass(frozen=True)
class BenchSite:
    """What a page's URL builder may use: the measured school and the signed-in user."""

    school: Any
    user: Any


@dataclass(frozen=True)
class BenchPage:
    key: str
    url: str | Callable[[BenchSite], str]
    # A fraction of the ceiling named by ``against``, as an issue names it; None: the page
    # is measured and reported (and fails only if its queries grow with the data).
    target: float | None
    role: str = Role.GENERAL_AFFAIRS
    # The ceiling the target is a fraction of: "bare" (one query, 50 rows, no sign-in) or
    # "layout" (signed in, the portal's empty base template: the floor of every page).
    against: str = "bare"
    order: int = 100

    def url_for(self, site: BenchSite) -> str:
        return self.url(site) if callable(self.url) else self.url


@dataclass(frozen=True)
class BenchTiming:
    """``run(site)`` and ``baseline(site)`` each do the work once and return seconds.

    The ratio is baseline/run (1.0: as fast as the bare version); ``target`` is the
    least acceptable ratio, or None to report only.
    """

    key: str
    label: str
    run: Callable[[BenchSite], float] | None = None
    baseline: Callable[[BenchSite], float] | None = None
    target: float | None = None
    note: str = ""
    order: int = 100


@dataclass
class BenchSchool:
    school: Any
    index: int  # 1-based, in code order
    factor: float  # scale × (small-school factor)
    small: bool = False


@dataclass
class BenchContext:
    """Shared state of one generation run (see the module docstring)."""

    schools: list[BenchSchool]
    districts: list = field(default_factory=list)
    scale: float = 1.0
    seed: int = 20261
    rng: random.Random = field(init=False)
    now: Any = field(init=False)
    _ids: dict = field(default_factory=lambda: defaultdict(dict))

    def __post_init__(self):
        self.rng = random.Random(self.seed)  # noqa: S311 - made-up data, not secrets
        self.now = timezone.now()

    @property
    def today(self):
        return timezone.localdate(self.now)

    def size(self, school: BenchSchool, base: float, minimum: int = 1) -> int:
        """``base`` (the count in a school of scale 1) for this school, at least ``minimum``."""
        return max(minimum, round(base * school.factor))

    def put(self, school: BenchSchool, name: str, ids: Sequence[int]):
        self._ids[school.school.pk][name] = list(ids)

    def get(self, school: BenchSchool, name: str) -> list[int]:
        return self._ids[school.school.pk].get(name, [])

    def people(self, school: BenchSchool, role: str | None = None) -> list[int]:
        """Ids of the school's generated people (with ``role``, if given)."""
        return self.get(school, f"people:{role}" if role else "people")

    @staticmethod
    def bulk_create(model, objects: Iterable, batch_size: int = 2000) -> list:
        """``bulk_create`` in big batches; the objects come back with their ids."""
        return model.objects.bulk_create(list(objects), batch_size=batch_size)

    @staticmethod
    def copy(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
        """COPY rows into ``model``'s table (PostgreSQL): the fastest way in, no ids back.

        ``fields`` names the model fields of each row (``"school"`` for a foreign key
        takes the id); every other concrete field gets its default, computed once.
        """
        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        rest = [
            f
            for f in opts.concrete_fields
            if f not in given and not f.primary_key and f.column is not None
        ]
        defaults = tuple(None if f.null and not f.has_default() else f.get_default() for f in rest)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *rest))
        sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row((*row, *defaults))
                count += 1
        return count


def bench_account(school, role: str):
    """The account the bench signs in as for ``role`` in ``school`` (in its district for a
    district viewer, who has no school), or None.

    The first active one by id among those for whom ``role`` is their only role, then
    the others: the staff page is measured as a teacher sees it, not as the general
    affairs office (whose accounts are staff too). Generators call this to give the
    measured accounts their volume (a technician's queue, a teacher's requests).
    """
    from django.db.models import Exists, OuterRef

    from logistics.models import User

    people = User.objects.filter(is_active=True, must_change_password=False, groups__name=role)
    if role == Role.DISTRICT_VIEWER:
        people = people.filter(district_id=school.district_id)
    else:
        people = people.filter(school=school)
    others = User.groups.through.objects.filter(user=OuterRef("pk")).exclude(group__name=role)
    return people.order_by(Exists(others).asc(), "pk").first()


def reversed_url(name: str, *args, query: str = "") -> Callable[[BenchSite], str]:
    """A ``BenchPage.url`` naming a route: reversed when the bench runs (the URLconf is
    not loaded while the apps' ``bench`` modules are read)."""

    def url(site: BenchSite) -> str:
        from django.urls import reverse

        return reverse(name, args=args) + query

    return url


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` near-equal whole numbers (the first ones larger)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def per_floor(count: int, floors: int) -> int:
    return max(1, math.ceil(count / floors))


def __getattr__(name):
    """The core's bench declarations, read by ``registry.autodiscover("logistics")`` as an
    app's ``bench`` module is read (imported only then: they need the models)."""
    if name in ("bench_data", "bench_pages", "bench_timings"):
        from logistics.bench import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
