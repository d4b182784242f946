"""No request can outlive gunicorn's timeout: gunicorn gets ``--timeout`` and
``--graceful-timeout`` from ``WEB_TIMEOUT`` in the Dockerfile and docker-compose.yml,
the settings read the same variable with the same default, and the start-up check
(``logistics.checks``) refuses an in-request deadline that comes near it, or a document
render limit beyond the document task's soft time limit."""

import functools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks

from logistics.tasks import document_render

ROOT = Path(__file__).resolve().parents[2]
IDS = {"houqin.E001", "houqin.E002", "houqin.E003"}


def errors():
    # No database checks: this file must pass alone, before any test has opened one.
    return {message.id for message in run_checks(databases=[])} & IDS


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"WEB_TIMEOUT", "DEBUG"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@functools.cache
def defaults():
    """WEB_TIMEOUT and PDF_RENDER_TIMEOUT when nothing sets them."""
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; import json; "
        "print(json.dumps([settings.WEB_TIMEOUT, settings.PDF_RENDER_TIMEOUT]))",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def gunicorn_arguments(shell_line, web_timeout):
    """Run ``shell_line`` with ``gunicorn`` standing in as a program that prints its
    arguments: what gunicorn would be given."""
    line = shell_line.replace("exec gunicorn", "exec printf '%s\\n' gunicorn")
    line = re.sub(r"python manage\.py [^&]*&&", "", line)  # the steps before it
    result = subprocess.run(
        ["sh", "-c", line],
        env={"PATH": os.environ["PATH"], "WEB_TIMEOUT": str(web_timeout)},
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    arguments = result.stdout.splitlines()
    assert arguments[:2] == ["gunicorn", "config.wsgi"], arguments
    return {
        name: arguments[arguments.index(name) + 1]
        for name in ("--timeout", "--graceful-timeout")
        if name in arguments
    }


# --- The check ------------------------------------------------------------------------------


def test_the_defaults_pass_and_leave_room():
    assert errors() == set()
    web, pdf = defaults()
    assert pdf + 10 <= web
    assert document_render.soft_time_limit < document_render.time_limit


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"PDF_RENDER_TIMEOUT": 55}, {"houqin.E002"}),
        ({"PDF_RENDER_TIMEOUT": 30, "WEB_TIMEOUT": 30}, {"houqin.E002"}),  # as it was
        ({"CELERY_PUBLISH_TIMEOUT": 60}, {"houqin.E002"}),
        ({"WEB_TIMEOUT": 0}, {"houqin.E001"}),
        ({"DOCUMENT_RENDER_TIMEOUT": 10_000}, {"houqin.E003"}),
    ],
)
def test_a_deadline_that_comes_near_the_timeout_is_refused(settings, changes, expected):
    for name, value in changes.items():
        setattr(settings, name, value)
    assert errors() == expected


def test_the_portal_refuses_to_start_with_such_a_deadline():
    """``migrate`` (the compose web service's first step) and ``check`` run the check."""
    result = manage("check", PDF_RENDER_TIMEOUT="55")
    assert result.returncode != 0
    assert "houqin.E002" in result.stderr


# --- gunicorn's timeout comes from the same variable ---------------------------------------


def test_the_dockerfile_gives_gunicorn_the_settings_timeout():
    text = (ROOT / "Dockerfile").read_text()
    web, _pdf = defaults()
    env_default = re.search(r"^\s*(?:ENV .*?)?\bWEB_TIMEOUT=(\d+)", text, re.M)
    assert env_default, "the image sets WEB_TIMEOUT"
    assert int(env_default[1]) == web
    command = json.loads(re.search(r"^CMD (\[.*\])\s*$", text, re.M)[1])
    assert command[:2] == ["sh", "-c"]
    assert gunicorn_arguments(command[2], web) == {
        "--timeout": str(web),
        "--graceful-timeout": str(web),
    }
    # Set otherwise, gunicorn follows.
    assert gunicorn_arguments(command[2], 90)["--timeout"] == "90"


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_gives_gunicorn_the_settings_timeout():
    checked = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "WEB_TIMEOUT": ""},
    )
    assert checked.returncode == 0, checked.stderr  # the file is valid
    # docker-compose is a Python program with PyYAML: read its output with that Python.
    shebang = Path(shutil.which("docker-compose")).read_text().splitlines()[0]
    python = shebang[2:].strip() if shebang.startswith("#!") else "python3"
    loaded = subprocess.run(
        [python, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
        input=checked.stdout,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    services = json.loads(loaded.stdout)["services"]
    web, _pdf = defaults()
    raw = (ROOT / "docker-compose.yml").read_text()
    assert re.search(r"WEB_TIMEOUT: \$\{WEB_TIMEOUT:-(\d+)\}", raw)[1] == str(web)
    for name in ("web", "worker", "beat"):  # every process reads the same settings
        assert services[name]["environment"]["WEB_TIMEOUT"] == str(web)
    command = services["web"]["command"]
    assert command[:2] == ["sh", "-c"]
    line = command[2].replace("$$", "$")  # compose's escape of a literal $
    assert gunicorn_arguments(line, web) == {
        "--timeout": str(web),
        "--graceful-timeout": str(web),
    }
    # docker stops the container after stop_grace_period: longer than the graceful timeout.
    grace = services["web"]["stop_grace_period"]
    assert int(grace.rstrip("s")) > web
