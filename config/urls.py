from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico; the icon lives with the static files."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("favicon.ico", FaviconView.as_view()),
    path("", include("logistics.urls")),
    path("safety/", include("safety.urls")),
]

# Benchmark (make bench): the bare pages every page is measured against, only when on.
if settings.HOUQIN_BENCH:
    urlpatterns.insert(0, path("__bench__/", include("logistics.bench.urls")))
