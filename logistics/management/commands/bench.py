"""Measure the registered pages and jobs on the bench data (README, "Benchmark").

Exits 1 when a page or job is below its target, so ``make bench`` fails.
"""

import shutil
import socket
import sys
import time
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from logistics.bench import BENCH_PASSWORD, SCHOOL_CODE_PREFIX, BenchSite, bench_account
from logistics.bench import runner as r
from logistics.bench.database import check_bench_database, read_meta
from logistics.choices import Role
from logistics.common.registry import registry
from logistics.models import Reminder, School


def bench_user(school, role):
    """The account measured as ``role`` in ``school`` (``logistics.bench.bench_account``)."""
    user = bench_account(school, role)
    if user is None:
        raise CommandError(f"No bench account with the role {role} in {school}.")
    return user


def reachable(url):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Benchmark the registered pages against bare Django pages (see README, Benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
        parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per page (3)")
        parser.add_argument("--connections", type=int, default=4, help="wrk connections (4)")
        parser.add_argument("--pages", default="", help="comma-separated page keys (all)")
        parser.add_argument("--no-import", action="store_true", help="skip the timed jobs")
        parser.add_argument("--no-celery", action="store_true", help="skip the Celery worker")
        parser.add_argument(
            "--redis-url",
            default="redis://127.0.0.1:6379/14",
            help="Redis database the bench's Celery worker uses (emptied before and after)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        name = check_bench_database()
        meta = read_meta()
        if not meta:
            raise CommandError(f"{name} holds no bench data: run `manage.py bench_data` first.")
        if meta.get("generators") != sorted(registry.bench_data):
            raise CommandError(
                f"{name} was filled by other generators ({', '.join(meta.get('generators', []))})"
                " than the ones registered now: `manage.py bench_data --if-missing` rebuilds it."
            )
        if not shutil.which("wrk"):
            raise CommandError("wrk is missing: `apt-get install wrk` (make bench does it).")
        wanted = {k for k in options["pages"].split(",") if k}
        pages = sorted(registry.bench_pages.values(), key=lambda p: (p.order, p.key))
        if wanted:
            unknown = wanted - {p.key for p in pages}
            if unknown:
                raise CommandError(f"Unknown pages: {', '.join(sorted(unknown))}")
            pages = [p for p in pages if p.key in wanted]

        schools = list(School.objects.filter(code__startswith=SCHOOL_CODE_PREFIX).order_by("code"))
        full = schools[0]
        small = schools[-1] if meta.get("small") else None
        users = {p.role: bench_user(full, p.role) for p in pages}
        small_users = {p.role: bench_user(small, p.role) for p in pages} if small else {}
        urls = {p.key: p.url_for(BenchSite(full, users[p.role])) for p in pages}
        say = self.stdout.write

        say(f"Query counts (in-process, {full.name} and {getattr(small, 'name', '—')}) …")
        queries, errors = {}, {}
        for page in pages:
            try:
                counts = [r.count_queries(urls[page.key], users[page.role])]
                if small:
                    site = BenchSite(small, small_users[page.role])
                    counts.append(r.count_queries(page.url_for(site), small_users[page.role]))
                queries[page.key] = (counts[0], counts[1] if small else None)
            except r.BenchError as exc:
                errors[page.key] = str(exc)

        env = r.bench_env()
        say("Static files for DEBUG off …")
        r.collectstatic(env)
        port = r.free_port()
        say(f"gunicorn (2 sync workers, DEBUG off) on 127.0.0.1:{port} …")
        with r.gunicorn(env, port):
            users.setdefault(Role.GENERAL_AFFAIRS, bench_user(full, Role.GENERAL_AFFAIRS))
            cookies = {
                role: r.login(port, user.username, BENCH_PASSWORD) for role, user in users.items()
            }
            # hello and bare are the framework alone (no session to load); the layout is
            # the floor of a signed-in page.
            cookie_of = {r.HELLO: "", r.BARE: "", r.LAYOUT: cookies[Role.GENERAL_AFFAIRS]}
            paths = dict(r.CEILINGS)
            for page in pages:
                status, location, _body = r.http_get(port, urls[page.key], cookies[page.role])
                if status != 200:
                    errors[page.key] = f"HTTP {status} {location}".strip()
                    continue
                paths[page.key] = urls[page.key]
                cookie_of[page.key] = cookies[page.role]

            def measure(key, duration=options["duration"]):
                try:
                    return r.wrk(
                        f"http://127.0.0.1:{port}{paths[key]}",
                        cookie_of[key],
                        duration=duration,
                        connections=options["connections"],
                    )
                except r.BenchError as exc:  # the page fails; the others are still measured
                    errors.setdefault(key, str(exc)[:200])
                    return None

            say(f"Warming up {len(paths)} URLs …")
            for key in paths:
                measure(key, duration=1)
            say(
                f"Measuring: {options['rounds']} rounds × {len(paths)} URLs × "
                f"{options['duration']} s (wrk, {options['connections']} connections) …"
            )
            rates = r.interleaved_rounds(list(paths), options["rounds"], measure)
        results = r.evaluate(pages, rates, urls=urls, queries=queries, errors=errors)

        timings = []
        for timing in sorted(registry.bench_timings.values(), key=lambda t: (t.order, t.key)):
            result = r.TimingResult(
                timing.key, timing.label, target=timing.target, note=timing.note
            )
            if timing.run is not None and not options["no_import"]:
                say(f"Timing: {timing.label} …")
                site = BenchSite(full, bench_user(full, Role.GENERAL_AFFAIRS))
                try:
                    result.seconds = timing.run(site)
                    result.baseline = timing.baseline(site) if timing.baseline else None
                except Exception as exc:  # reported in the table, and the run fails
                    result.error = str(exc)[:200] or type(exc).__name__
            elif timing.run is not None:
                result.note = "skipped"
            timings.append(result)

        celery = None
        if not options["no_celery"]:
            if reachable(options["redis_url"]):
                say(f"Celery worker (solo pool, {options['redis_url']}) running one tick …")
                before = Reminder.objects.count()
                tick = r.celery_tick(env, options["redis_url"])
                fired = Reminder.objects.count() - before
                celery = (
                    f"max RSS (VmHWM) {tick['peak_kb'] / 1024:.0f} MB "
                    f"(idle worker {tick['idle_kb'] / 1024:.0f} MB); "
                    f"the tick took {tick['seconds']:.2f} s and fired {fired} reminders"
                )
            else:
                celery = f"n/a (no Redis at {options['redis_url']})"

        title = (
            f"\nHouqin bench — {meta['schools']} schools in {meta['districts']} districts "
            f"({meta['small']} small), scale {meta['scale']}; each page signed in as its "
            f"role in {full.name}.\nwrk: {options['connections']} connections × "
            f"{options['duration']} s, {options['rounds']} interleaved rounds; medians; "
            "queries: full school/small school."
        )
        for key in r.CEILINGS:
            if key in errors:
                title += f"\nceiling {key} failed: {errors[key]}"
        say(r.format_report(results, rates, timings, celery, title=title))
        code = r.exit_code(results, timings)
        say(f"\nbench took {time.monotonic() - started:.0f} s; " + ("ok" if not code else "FAIL"))
        if code:
            sys.exit(code)
