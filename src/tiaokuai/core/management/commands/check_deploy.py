from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def deployment_problems() -> list[str]:
    """What is unsafe about the current settings for a production deployment."""
    problems = []
    if settings.DEBUG:
        problems.append(_("DEBUG is on (unset TIAOKUAI_DEBUG)."))
    if not settings.SECRET_KEY_FROM_ENV:
        problems.append(_("The secret key is generated under var/; set TIAOKUAI_SECRET_KEY."))
    elif len(settings.SECRET_KEY) < 40:
        problems.append(_("The secret key is shorter than 40 characters."))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(_("The database is SQLite; set DATABASE_URL to a PostgreSQL database for production."))
    if set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "testserver"}:
        problems.append(_("TIAOKUAI_ALLOWED_HOSTS only lists local addresses."))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(_("TIAOKUAI_ALLOWED_HOSTS contains “*”."))
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(_("Cookies are not marked secure; set TIAOKUAI_SECURE_COOKIES=1 behind HTTPS."))
    if settings.DEMO:
        problems.append(_("TIAOKUAI_DEMO is set: demo accounts with a known password may exist."))
    if not settings.SECURE_SSL_REDIRECT:
        problems.append(_("Plain HTTP is not redirected to HTTPS; set TIAOKUAI_SSL_REDIRECT=1."))
    if settings.SECURE_HSTS_SECONDS < 31536000:
        problems.append(_("HSTS is off or shorter than a year; set TIAOKUAI_HSTS_SECONDS=31536000."))
    if not getattr(settings, "PROXY_HOPS_SET", False):
        problems.append(_("The reverse proxy is not declared; set TIAOKUAI_PROXY_HOPS to the number of proxies in "
                          "front (1 for one nginx that sets X-Forwarded-For and X-Forwarded-Proto; 0 for none)."))
    if not {"csp.middleware.CSPMiddleware", "tiaokuai.core.middleware.CSPMiddleware"} & set(settings.MIDDLEWARE) or not getattr(
            settings, "CONTENT_SECURITY_POLICY", None):
        problems.append(_("No Content-Security-Policy is sent (csp.middleware.CSPMiddleware)."))
    if not _backup_configured():
        problems.append(_("No backup directory is set; set TIAOKUAI_BACKUP_DIR and schedule `tiaokuai backup` "
                          "(docs/deploy.md)."))
    return problems


def _backup_configured() -> bool:
    import os

    return bool(os.environ.get("TIAOKUAI_BACKUP_DIR"))


class Command(BaseCommand):
    help = "Report what is unsafe about this deployment's settings (exit status 1 if anything is)."

    def handle(self, *args, **options):
        from django.core.management import call_command

        call_command("check", deploy=True, fail_level="CRITICAL", verbosity=0)
        problems = deployment_problems()
        if not problems:
            self.stdout.write(self.style.SUCCESS(_("No deployment problems found.")))
            return
        for problem in problems:
            self.stdout.write(self.style.WARNING(f"- {problem}"))
        raise SystemExit(1)
