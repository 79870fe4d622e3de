from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    # The admin signs in through the site's sign-in (password, then the second factor where one is in force).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tiaokuai.shell.urls")),
    path("org/", include("tiaokuai.org.urls")),
    path("lists/", include("tiaokuai.duties.urls")),
    path("whistles/", include("tiaokuai.whistles.urls")),
    path("intake/", include("tiaokuai.intake.urls")),
    path("open311/v2/", include("tiaokuai.intake.open311_urls")),
    path("routing/", include("tiaokuai.routing.urls")),
    path("system/", include("tiaokuai.shell.system_urls")),
    path("", include("tiaokuai.notify.urls")),  # /notifications/…, /system/inbox/, /system/outbox/
]

# One error answer (core.error_pages): JSON {code, message, details} on /api/, a page in the site shell otherwise.
handler400 = "tiaokuai.core.error_pages.bad_request"
handler403 = "tiaokuai.core.error_pages.permission_denied"
handler404 = "tiaokuai.core.error_pages.page_not_found"
handler500 = "tiaokuai.core.error_pages.server_error"
