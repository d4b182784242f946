"""Measuring: gunicorn + wrk for the pages, in-process for queries and timed jobs, a real
Celery worker for the tick's memory, and the one table that says ok or FAIL.

Absolute figures swing ±30% between runs on these 2-core machines, so every page is
reported as a ratio to ceilings measured in the same run, interleaved with it: ``hello``
(the framework alone) and ``bare`` (one query and a 50-row template), the target's
yardstick; and ``layout`` (signed in, the empty base template), the floor under every
portal page. A page's ratio is the median over rounds of (page req/s ÷ ceiling req/s in
that round).
"""

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty, Queue
from urllib.parse import quote

from django.conf import settings

HELLO, BARE, LAYOUT = "hello", "bare", "layout"
CEILINGS = {HELLO: "/__bench__/hello/", BARE: "/__bench__/table/", LAYOUT: "/__bench__/layout/"}
BENCH_DIR = Path(settings.BASE_DIR) / "var" / "bench"
CELERY_QUEUE = "houqin-bench"


class BenchError(Exception):
    pass


# --- Arithmetic and the report (no I/O; unit-tested with made-up measurements) ---------


def median(values: Sequence[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratios(page: Sequence[float], ceiling: Sequence[float]) -> list[float]:
    """Per-round ratios page/ceiling (rounds where either is missing are left out)."""
    return [p / c for p, c in zip(page, ceiling, strict=False) if p and c]


@dataclass
class PageResult:
    key: str
    url: str
    target: float | None
    against: str = BARE
    rates: list[float] = field(default_factory=list)
    vs_bare: float | None = None
    vs_hello: float | None = None
    vs_layout: float | None = None
    queries: tuple[int | None, int | None] = (None, None)  # (full school, small school)
    error: str = ""
    role: str = ""  # who is signed in

    @property
    def rate(self):
        return median(self.rates)

    @property
    def queries_grow(self):
        full, small = self.queries
        return full is not None and small is not None and full > small

    @property
    def ratio(self):
        """The ratio the target applies to."""
        return {BARE: self.vs_bare, HELLO: self.vs_hello, LAYOUT: self.vs_layout}[self.against]

    @property
    def ok(self):
        if self.error or self.ratio is None or self.queries_grow:
            return False
        return self.target is None or self.ratio >= self.target


@dataclass
class TimingResult:
    key: str
    label: str
    seconds: float | None = None
    baseline: float | None = None
    target: float | None = None
    note: str = ""
    error: str = ""

    @property
    def ratio(self):
        if self.seconds and self.baseline:
            return self.baseline / self.seconds
        return None

    @property
    def ok(self):
        if self.error:
            return False
        if self.target is None:
            return True
        return self.ratio is not None and self.ratio >= self.target


def evaluate(pages, rates: dict[str, list[float]], urls=None, queries=None, errors=None):
    """PageResults from per-round rates (``rates`` also holds "hello" and "bare")."""
    urls, queries, errors = urls or {}, queries or {}, errors or {}
    results = []
    for page in pages:
        own = rates.get(page.key, [])
        results.append(
            PageResult(
                key=page.key,
                url=urls.get(page.key, page.url if isinstance(page.url, str) else ""),
                target=page.target,
                against=page.against,
                rates=own,
                vs_bare=median(ratios(own, rates.get(BARE, []))),
                vs_hello=median(ratios(own, rates.get(HELLO, []))),
                vs_layout=median(ratios(own, rates.get(LAYOUT, []))),
                queries=queries.get(page.key, (None, None)),
                error=errors.get(page.key, ""),
                role=str(page.role),
            )
        )
    return results


def interleaved_rounds(keys: Sequence[str], rounds: int, measure: Callable[[str], float]):
    """Measure every key once per round, the order rotated each round; {key: [req/s]}."""
    keys = list(keys)
    rates = {key: [] for key in keys}
    for r in range(rounds):
        shift = r % len(keys)
        for key in keys[shift:] + keys[:shift]:
            rates[key].append(measure(key))
    return rates


def _fmt(value, spec, empty="—"):
    return empty if value is None else format(value, spec)


def _table(header, rows):
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def format_report(pages, rates, timings=(), celery=None, title=""):
    hello, bare, layout = (median(rates.get(k, [])) for k in (HELLO, BARE, LAYOUT))
    bare_hello = median(ratios(rates.get(BARE, []), rates.get(HELLO, [])))
    layout_bare = median(ratios(rates.get(LAYOUT, []), rates.get(BARE, [])))
    lines = [title] if title else []
    lines.append(
        f"ceilings, median req/s: hello {_fmt(hello, ',.0f')}; bare 50-row table "
        f"{_fmt(bare, ',.0f')} ({_fmt(bare_hello, '.3f')} × hello); signed-in empty layout "
        f"{_fmt(layout, ',.0f')} ({_fmt(layout_bare, '.2f')} × bare)"
    )
    lines.append("")
    rows = []
    for p in pages:
        full, small = p.queries
        queries = (
            "—" if full is None else (str(full) if small in (None, full) else f"{full}/{small}")
        )
        if p.error:
            verdict = f"FAIL ({p.error})"
        elif p.queries_grow:
            verdict = "FAIL (queries grow with data)"
        elif p.target is None:
            verdict = "(report only)" if p.ok else "FAIL"
        else:
            verdict = "ok" if p.ok else "FAIL"
        rows.append(
            (
                p.key,
                p.url,
                p.role,
                _fmt(p.rate, ",.0f"),
                _fmt(p.vs_bare, ".2f"),
                _fmt(p.vs_hello, ".3f"),
                _fmt(p.vs_layout, ".2f"),
                queries,
                "—" if p.target is None else f"≥ {p.target:.2f} × {p.against}",
                verdict,
            )
        )
    header = (
        "page",
        "url",
        "role",
        "req/s",
        "vs bare",
        "vs hello",
        "vs layout",
        "queries",
        "target",
    )
    lines.append(_table((*header, "result"), rows))
    if timings:
        lines.append("")
        rows = []
        for t in timings:
            if t.error or t.seconds is None:
                rows.append((t.label, "", "", "", "", f"FAIL ({t.error})" if t.error else t.note))
                continue
            rows.append(
                (
                    t.label,
                    _fmt(t.seconds, ".2f") + " s",
                    _fmt(t.baseline, ".2f") + " s",
                    _fmt(t.ratio, ".3f"),
                    "—" if t.target is None else f"≥ {t.target:.2f}",
                    ("ok" if t.ok else "FAIL") if t.target is not None else "(report only)",
                )
            )
        lines.append(_table(("job", "time", "bare", "ratio", "target", "result"), rows))
    if celery is not None:
        lines.append("")
        lines.append(f"Celery worker, tick once: {celery}")
    return "\n".join(lines)


def exit_code(pages, timings=()) -> int:
    return 0 if all(p.ok for p in pages) and all(t.ok for t in timings) else 1


# --- The environment of the bench's own processes --------------------------------------


def database_url():
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def bench_env(**extra):
    """Production-like settings on plain http over loopback, with the bench pages on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ALLOW")}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        HOUQIN_BENCH="1",
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(BENCH_DIR / "static"),
        REDIS_URL="",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def executable(name):
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise BenchError(f"{name} is not installed in {path.parent} (make install)")
    return str(path)


def collectstatic(env):
    """The manifest DEBUG-off pages need; redone only when static/ changed."""
    manifest = BENCH_DIR / "static" / "staticfiles.json"
    sources = Path(settings.BASE_DIR) / "static"
    newest = max((p.stat().st_mtime for p in sources.rglob("*") if p.is_file()), default=0)
    if manifest.exists() and manifest.stat().st_mtime >= newest:
        return False
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )
    return True


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP ------------------------------------------------------------------------------


def http_get(port, path, cookie="", timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.getheader("Location", ""), response.read()
    finally:
        conn.close()


def _cookies(response):
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def login(port, username, password):
    """Sign in through the real login form; returns the Cookie header of the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/accounts/login/")
        response = conn.getresponse()
        page = response.read().decode()
        jar = _cookies(response)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or not match or "csrftoken" not in jar:
            raise BenchError(f"no login form at /accounts/login/ ({response.status})")
        body = (
            f"csrfmiddlewaretoken={quote(match.group(1))}&username={quote(username)}"
            f"&password={quote(password)}"
        )
        conn.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={jar['csrftoken']}",
                "Origin": f"http://127.0.0.1:{port}",
            },
        )
        response = conn.getresponse()
        response.read()
        jar.update(_cookies(response))
    finally:
        conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise BenchError(f"signing in as {username} failed ({response.status})")
    return f"sessionid={jar['sessionid']}; csrftoken={jar['csrftoken']}"


@contextlib.contextmanager
def gunicorn(env, port, workers=2):
    """Serve the portal as production does (sync workers), stopped on leaving."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_DIR / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [
                executable("gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited:\n{log_path.read_text()[-2000:]}")
            with contextlib.suppress(OSError):
                if http_get(port, CEILINGS[HELLO], timeout=2)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        stop(process)


def stop(process, timeout=15):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wrk(url, cookie="", *, duration=3, connections=4, threads=1):
    """Requests per second wrk reaches on ``url``; only 2xx answers count."""
    command = [
        shutil.which("wrk") or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(  # noqa: S603 - wrk on our own loopback URL
        [*command, url], capture_output=True, text=True, timeout=duration + 30, check=False
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    if result.returncode or not rate:
        raise BenchError(f"wrk failed on {url}: {result.stdout}{result.stderr}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    if bad and int(bad.group(1)):
        raise BenchError(f"{url}: {bad.group(1)} error responses under load")
    return float(rate.group(1))


# --- In-process measurements ------------------------------------------------------------


def count_queries(path, user):
    """Queries one GET of ``path`` costs ``user``, through the test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    with override_settings(DEBUG=False):
        client.get(path)  # steady state: per-process caches (role permissions) filled
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"{path}: {response.status_code} for {user.username}")
    return len(captured)


# --- Celery ------------------------------------------------------------------------------


def vm_peak_kb(pid):
    """VmHWM (peak resident set) of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise BenchError(f"no VmHWM for process {pid}")


def celery_tick(env, redis_url, timeout=180):
    """Start a solo worker on its own queue, send it one tick, read its peak memory."""
    import redis
    from celery import Celery

    redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
    lines: Queue = Queue()
    process = subprocess.Popen(  # noqa: S603 - our own venv's celery
        [
            executable("celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            "--queues",
            CELERY_QUEUE,
            "--hostname",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=settings.BASE_DIR,
        env={**env, "REDIS_URL": redis_url, "LOG_LEVEL": "INFO"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def pump():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen = []

    def wait_for(pattern):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except Empty:
                continue
            if line is None:
                raise BenchError("the worker stopped:\n" + "".join(seen[-30:]))
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise BenchError(f"the worker did not log /{pattern}/:\n" + "".join(seen[-30:]))

    try:
        wait_for(r"\bready\.")
        idle = vm_peak_kb(process.pid)
        app = Celery("houqin-bench", broker=redis_url, set_as_current=False)
        try:
            app.send_task("logistics.tasks.tick", queue=CELERY_QUEUE)
        finally:
            app.close()
        match = wait_for(r"logistics\.tasks\.tick\[[^\]]+\] (succeeded in ([\d.]+)s|raised.*)")
        if not match.group(2):
            raise BenchError("the tick failed:\n" + "".join(seen[-30:]))
        return {
            "idle_kb": idle,
            "peak_kb": vm_peak_kb(process.pid),
            "seconds": float(match.group(2)),
        }
    finally:
        stop(process)
        with contextlib.suppress(Exception):
            redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
