# Houqin: `make run` serves the demo portal; `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter >= 3.12 found (pyenv's are not on PATH by default).
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3 /usr/bin/python3; do \
	if "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo "$$p"; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9

# make test uses the local PostgreSQL and Redis when they answer (as CI does).
LOCAL_DATABASE_URL := $(shell (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && echo postgres://postgres@127.0.0.1:5432/houqin)
LOCAL_REDIS_URL := $(shell (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && echo redis://127.0.0.1:6379/15)

# Debian packages the test suite needs: a browser, msgfmt, redis-server for the fault
# tests, docker-compose to validate the compose file, CJK fonts and poppler for PDFs.
APT_PACKAGES := chromium gettext redis-server docker-compose fonts-noto-cjk libharfbuzz-subset0 poppler-utils

.PHONY: help install run messages system-deps test lint bench-check clean

help:
	@echo "make run    install, migrate, load the demo and serve http://127.0.0.1:8000 (PORT=…)"
	@echo "make test   install what the suite needs and run the whole suite"
	@echo "make lint   ruff, the migrations check and the arrows between apps (lint-imports)"
	@echo "make bench  benchmark the key pages at district scale (its own database)"

$(VENV)/.installed: pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 is needed (none found)"; exit 1; }
	@test -x $(PY) || "$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv sync --frozen --inexact --quiet --python $(PY)
	@touch $@

install: $(VENV)/.installed

# The Chinese catalogue: Django's compilemessages when GNU gettext's msgfmt is installed,
# else the same .mo written in Python (logistics/msgfmt.py): no root, no download.
messages: install
	@$(PY) manage.py compile_catalogue --verbosity 0

PORT ?= 8000
run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; \
		else echo "missing Debian packages (install them as root):$$missing"; fi; \
	fi

# The suite runs twice when PostgreSQL answers: on it (with Redis), then on the embedded
# default a newcomer gets from `make run` (SQLite, tasks in-process), without the tests
# that are about those servers. A flow that works on one database only is broken.
test: install system-deps messages
	DATABASE_URL="$${DATABASE_URL:-$(LOCAL_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(LOCAL_REDIS_URL)}" \
		$(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ -n "$${DATABASE_URL:-$(LOCAL_DATABASE_URL)}" ]; then \
		echo "--- the same suite on the embedded default (SQLite, tasks in-process)"; \
		DATABASE_URL="sqlite:///$(CURDIR)/var/houqin.sqlite3" REDIS_URL="" \
			$(VENV)/bin/pytest -m "not postgres and not redis" $(PYTEST_ARGS); \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache

# --- Benchmark (make bench; README, "Benchmark") --------------------------------------------
# Generates a district's data into its own PostgreSQL database (created if missing; never
# the developer's) unless the same data is there, then measures with wrk (a Debian package).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/houqin_bench
.PHONY: bench
bench: APT_PACKAGES = wrk
bench: install system-deps messages
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench_data --if-missing $(BENCH_DATA_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/staticfiles
