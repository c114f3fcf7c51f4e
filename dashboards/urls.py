from django.urls import path

from dashboards import views

urlpatterns = [
    path("", views.index, name="dashboards"),
    path("refresh/", views.refresh, name="dashboards_refresh"),
    path("<str:name>/", views.dashboard, name="dashboard"),
    path("<str:name>/export.csv", views.export_csv, name="dashboard_export"),
]
