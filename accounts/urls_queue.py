from django.urls import path

from accounts import views_queue as views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pool/", views.pool, name="queue_pool"),
    path("leads/", views.leads, name="queue_leads"),
    path("team/", views.team, name="queue_team"),
    path("capacity/", views.capacity, name="queue_capacity"),
    path("claim/<int:pk>/", views.claim, name="queue_claim"),
    path("claim-next/", views.claim_next, name="queue_claim_next"),
    path("release/<int:pk>/", views.release, name="queue_release"),
    path("snooze/<int:pk>/", views.snooze, name="queue_snooze"),
    path("unsnooze/<int:pk>/", views.unsnooze, name="queue_unsnooze"),
    path("views/", views.view_save, name="queue_view_save"),
    path("views/<int:pk>/delete/", views.view_delete, name="queue_view_delete"),
    path("reassign/", views.reassign, name="queue_reassign"),
    path("rules/", views.rules, name="queue_rules"),
    path("rules/<int:pk>/", views.rules, name="queue_rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="queue_rule_delete"),
    path("rules/run/", views.assign_run, name="queue_assign_run"),
    path("capacity/sdr/<int:user_id>/", views.capacity_set, name="queue_capacity_set"),
]
