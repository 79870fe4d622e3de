from django.urls import path

from . import views

app_name = "whistles"
urlpatterns = [
    path("", views.whistle_list, name="list"),
    path("raise/", views.raise_whistle, name="raise"),
    path("grids", views.grids, name="grids"),
    path("inbox/", views.inbox, name="inbox"),
    path("board/", views.board, name="board"),
    path("disputes/", views.disputes, name="disputes"),
    path("disputes/<int:pk>/decide/", views.dispute_decide, name="dispute_decide"),
    path("figures/", views.figures, name="figures"),
    path("items/", views.items, name="items"),
    path("<int:pk>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/accountability/", views.accountability, name="accountability"),
    path("<int:pk>/<str:action>/", views.whistle_action, name="whistle_action"),
    path("dispatches/<int:pk>/<str:action>/", views.dispatch_action, name="dispatch_action"),
]
