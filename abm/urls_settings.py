from django.urls import path

from abm import views_settings as views

urlpatterns = [
    path("", views.settings_index, name="settings"),
    path("members/", views.member_invite, name="settings_member_invite"),
    path("members/<int:pk>/role/", views.member_role, name="settings_member_role"),
    path("thresholds/", views.thresholds_update, name="settings_thresholds"),
    path("tokens/", views.token_create, name="settings_token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="settings_token_revoke"),
]
