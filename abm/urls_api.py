"""API routes: each app's api.py exposes `register(router)`; absent apps are skipped."""

from importlib import import_module

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include(extra_urls)),
    path("v1/", include(router.urls)),
]
