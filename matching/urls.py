from django.urls import path

from matching import views

urlpatterns = [
    path("review/", views.review, name="matching_review"),
    path("review/bulk-accept/", views.bulk_accept, name="matching_bulk_accept"),
    path("review/rematch/", views.rematch, name="matching_rematch"),
    path("suggestions/create/", views.suggestion_create, name="matching_suggestion_create"),
    path("candidates/<int:pk>/accept/", views.candidate_accept, name="matching_accept"),
    path("candidates/<int:pk>/reject/", views.candidate_reject, name="matching_reject"),
    path("leads/<int:pk>/link/", views.contact_link, name="matching_link"),
    path(
        "leads/<int:pk>/create-account/",
        views.contact_create_account,
        name="matching_create_account",
    ),
    path("leads/<int:pk>/account-search/", views.account_search, name="matching_account_search"),
    path("runs/<int:pk>/", views.run_progress, name="matching_run"),
]
