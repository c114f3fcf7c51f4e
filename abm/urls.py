from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from abm import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("workspace/switch/", views.workspace_switch, name="workspace_switch"),
    path("settings/", include("abm.urls_settings")),
    path("accounts/", include("accounts.urls")),
    path("queue/", include("accounts.urls_queue")),
    path("imports/", include("accounts.urls_imports")),
    path("matching/", include("matching.urls")),
    path("scoring/", include("scoring.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/", include("abm.urls_api")),
    path("admin/", admin.site.urls),
]
