"""`tiaokuai audit verify` checks the audit chain; `tiaokuai audit seal` seals what the worker has not yet."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tiaokuai.core import audit


class Command(BaseCommand):
    help = "Seal or verify the tamper-evident audit chain."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify", "seal"])

    def handle(self, *args, what, **options):
        if what == "seal":
            total = 0
            while n := audit.seal_pending():
                total += n
            self.stdout.write(_("%(count)d audit events sealed.") % {"count": total})
            return
        checked, problems = audit.verify()
        labels = {"edited": _("edited"), "missing": _("deleted"), "unsealed": _("not sealed yet")}
        for p in problems:
            where = _("event %(id)s") % {"id": p.event_id} if p.event_id else ""
            self.stdout.write(f"{labels[p.kind]}: {where} {p.detail}".replace("  ", " "))
        broken = [p for p in problems if p.kind != "unsealed"]
        if broken:
            raise CommandError(_("The audit chain is broken: %(count)d problem(s) in %(checked)d sealed events.")
                               % {"count": len(broken), "checked": checked})
        self.stdout.write(_("The audit chain is intact: %(checked)d sealed events checked.") % {"checked": checked})
