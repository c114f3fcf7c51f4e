from django.urls import path

from scoring import views

urlpatterns = [
    path("", views.index, name="scoring"),
    path("run/", views.run_start, name="scoring_run"),
    path("runs/<int:pk>/", views.run_progress, name="scoring_run_progress"),
    path("profiles/new/", views.profile_create, name="scoring_profile_create"),
    path("profiles/preview/", views.profile_preview, name="scoring_profile_preview"),
    path("profiles/<int:pk>/", views.profile_edit, name="scoring_profile"),
    path("profiles/<int:pk>/activate/", views.profile_activate, name="scoring_profile_activate"),
    path(
        "profiles/<int:pk>/versions/<int:version>/restore/",
        views.profile_restore,
        name="scoring_profile_restore",
    ),
    path("profiles/<int:pk>/backtest/", views.profile_backtest, name="scoring_profile_backtest"),
    path("models/", views.model_list, name="scoring_models"),
    path("models/<int:pk>/", views.model_detail, name="scoring_model"),
    path("models/<int:pk>/activate/", views.model_activate, name="scoring_model_activate"),
    path("models/<int:pk>/backtest/", views.model_backtest, name="scoring_model_backtest"),
    path("settings/", views.settings_edit, name="scoring_settings"),
]
