from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<str:code>/", views.organisation_detail, name="organisation"),
    path("organisations/<str:code>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<str:code>/establishment/", views.quota_edit, name="quota_edit"),
    path("organisations/<str:code>/assign/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("divisions/", views.division_tree, name="divisions"),
    path("staffing/", views.staffing, name="staffing"),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/memberships/new/", views.membership_create, name="membership_create"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/new/", views.certificate_create, name="certificate_create"),
    path("certificates/<int:pk>/renew/", views.certificate_renew, name="certificate_renew"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
]
