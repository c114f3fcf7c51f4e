"""API routes: each app's api.py exposes `register(router)`; absent apps are skipped."""

from importlib import import_module

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash="/?")
extra_urls = []
for app in ("accounts", "campaigns", "matching", "scoring", "dashboards"):
    try:
        module = import_module(f"{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app}.api":
            raise
        continue
    module.register(router)
    extra_urls += getattr(module, "extra_urls", [])

# The browsable docs (Swagger UI from drf-spectacular-sidecar's static files) style themselves
# with inline <style> elements and data: images; the split view serves its start-up script from
# this site, so only this page widens the CSP, and only for styles and images.
docs_view = csp_update(
    {
        "style-src-elem": [UNSAFE_INLINE],
        "img-src": ["data:"],
    }
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("v1/", include(extra_urls)),
    path("v1/", include(router.urls)),
]
