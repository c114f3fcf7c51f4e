from django.urls import path

from campaigns import views

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("segments/", views.segment_list, name="segments"),
    path("segments/save/", views.segment_save, name="segment_save"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
    path("ip-ranges/", views.ip_range_list, name="ip_ranges"),
    path("ip-ranges/<int:pk>/delete/", views.ip_range_delete, name="ip_range_delete"),
    path("weights/", views.event_weights, name="event_weights"),
    path("journeys/recompute/", views.journeys_recompute, name="journeys_recompute"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path(
        "<int:pk>/targets/segment/", views.campaign_targets_segment, name="campaign_targets_segment"
    ),
    path("<int:pk>/targets/upload/", views.campaign_targets_upload, name="campaign_targets_upload"),
    path(
        "<int:pk>/targets/<int:account_id>/remove/",
        views.campaign_target_remove,
        name="campaign_target_remove",
    ),
    path("<int:pk>/assets/", views.asset_add, name="campaign_asset_add"),
    path(
        "<int:pk>/assets/<int:asset_id>/delete/", views.asset_delete, name="campaign_asset_delete"
    ),
]
