# Production image: gunicorn web, Celery worker and beat share it.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH

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
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
