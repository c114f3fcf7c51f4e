from django.urls import path

from accounts import views, views_activity

urlpatterns = [
    path("", views.account_list, name="account_list"),
    path("<int:pk>/", views.account_detail, name="account_detail"),
]

# Account-page actions: activities, next steps and the lead flow (accounts/views_activity.py).
urlpatterns += [
    path("<int:pk>/activities/", views_activity.activity_create, name="activity_create"),
    path("<int:pk>/tasks/<int:task_id>/done/", views_activity.task_done, name="account_task_done"),
    path(
        "<int:pk>/leads/<int:contact_id>/move/", views_activity.lead_move, name="account_lead_move"
    ),
    path(
        "<int:pk>/leads/<int:contact_id>/convert/",
        views_activity.lead_convert,
        name="account_lead_convert",
    ),
]
