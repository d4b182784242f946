from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def bench_pages_off(app_configs, **kwargs):
    """The bench pages answer without signing in: never in production."""
    if getattr(settings, "HOUQIN_BENCH", False):
        return [
            Warning(
                "HOUQIN_BENCH is on: the benchmark's unauthenticated pages are served.",
                hint="Unset HOUQIN_BENCH; only `make bench` sets it.",
                id="houqin.W001",
            )
        ]
    return []
