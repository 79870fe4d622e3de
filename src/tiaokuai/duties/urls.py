from django.urls import path

from . import views

app_name = "duties"
urlpatterns = [
    path("", views.in_force, name="in_force"),
    path("public/", views.public_list, name="public"),
    path("matters/<int:matter_id>/", views.matter_detail, name="matter"),
    path("matters/<int:matter_id>/edit/", views.matter_edit, name="matter_edit"),
    path("matters/<int:matter_id>/delete/", views.matter_delete, name="matter_delete"),
    path("releases/", views.release_list, name="releases"),
    path("releases/start/", views.release_start, name="release_start"),
    path("releases/<int:release_id>/", views.release_detail, name="release"),
    path("releases/<int:release_id>/export/", views.release_export, name="release_export"),
    path("releases/<int:release_id>/import/", views.release_import, name="release_import"),
    path("releases/<int:release_id>/publish/", views.release_publish, name="release_publish"),
    path("releases/<int:release_id>/discard/", views.release_discard, name="release_discard"),
    path("releases/<int:release_id>/matters/new/", views.matter_create, name="matter_create"),
    path("diff/", views.diff, name="diff"),
]
