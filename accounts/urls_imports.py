"""/imports/ — the CRM import pages (admins only); included by abm.urls at `imports/`."""

from django.urls import path

from accounts import views_imports as views

urlpatterns = [
    path("", views.import_list, name="imports"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("<int:pk>/preview/", views.import_preview_page, name="import_preview"),
    path("<int:pk>/start/", views.import_start, name="import_start"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/cancel/", views.import_cancel_view, name="import_cancel"),
    path("<int:pk>/resume/", views.import_resume_view, name="import_resume"),
    path("<int:pk>/undo/", views.import_undo_view, name="import_undo"),
    path("<int:pk>/errors.csv", views.import_errors, name="import_errors"),
]
