"""A private, throw-away redis-server for tests that need to stop and restart the broker.

It listens on a free loopback port, keeps nothing on disk (``--save "" --appendonly no``)
and runs in a temporary directory. ``stop()`` and ``start()`` can be called repeatedly;
the port stays the same, so a client configured with ``url`` reconnects to the new server.
"""

import shutil
import socket
import subprocess
import time
from pathlib import Path

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_ping(port, timeout=0.2):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    def __init__(self, directory: Path, port: int | None = None):
        self.directory = Path(directory)
        self.port = port or free_port()
        self.process = None
        self._log = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self, timeout=10.0):
        if self.running:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._log = open(self.directory / "redis.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--daemonize",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=self.directory,
        )
        deadline = time.monotonic() + timeout
        while not _answers_ping(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server did not start on port {self.port}:\n{log}")
            time.sleep(0.02)

    def stop(self, timeout=10.0):
        if self.process is not None:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        # The port must really be closed: a client connecting now gets "refused".
        deadline = time.monotonic() + timeout
        while _answers_ping(self.port, timeout=0.1):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not stop")
            time.sleep(0.02)
