# Production image: gunicorn web, Celery worker and beat share it.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH \
    WEB_TIMEOUT=60

# CJK fonts and harfbuzz-subset for the PDF reports (WeasyPrint), gettext for messages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk libharfbuzz-subset0 \
      libpango-1.0-0 libpangoft2-1.0-0 gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN pip install --no-cache-dir "uv==0.13.9" \
 && uv sync --frozen --no-dev --no-install-project

COPY . .
RUN python manage.py compilemessages --ignore=.venv --verbosity 0 \
 && DEBUG=true python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --home /app houqin && mkdir -p /app/var && chown houqin /app/var
USER houqin
EXPOSE 8000
# gunicorn kills a worker silent for --timeout seconds. The settings read the same
# WEB_TIMEOUT and refuse to start when a deadline inside a request (PDF_RENDER_TIMEOUT…)
# comes near it (logistics/checks.py); what can take longer is made by the Celery worker.
# --graceful-timeout: a restart lets the requests in hand finish.
CMD ["sh", "-c", "exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers 3 --timeout \"$WEB_TIMEOUT\" --graceful-timeout \"$WEB_TIMEOUT\" --access-logfile -"]
