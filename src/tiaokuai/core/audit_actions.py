"""How the platform's own audit events read on a timeline (registered from CoreConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from . import timeline
from .timeline import Field


def register() -> None:
    a = timeline.register_action
    a("core.token_issue", _("{actor} signed in to the API (new token)"),
      fields={"user": Field(hidden=True), "name": _("name"), "expires_at": Field(hidden=True)})
    a("core.token_revoke", _("{actor} revoked API tokens"),
      fields={"tokens": Field(hidden=True), "reason": Field(hidden=True)})
    a("core.reveal", _("{actor} viewed the unmasked personal data of {object}"),
      fields={"purpose": _("purpose"), "fields": Field(hidden=True)})
    hidden_user = {"user": Field(hidden=True)}
    a("core.totp.start", _("{actor} started enrolling a second factor"), fields=hidden_user)
    a("core.totp.confirm_failed", _("{actor} entered a wrong code while enrolling a second factor"),
      fields=hidden_user)
    a("core.totp.enable", _("{actor} turned on the second factor"),
      fields={**hidden_user, "recovery_codes": _("recovery codes")})
    a("core.totp.pass", _("{actor} passed the second factor"),
      fields={**hidden_user, "method": Field(_("with"), choices={"totp": _("authenticator app"),
                                                                "recovery": _("recovery code")}),
              "recovery_codes_left": _("recovery codes left")})
    a("core.totp.fail", _("{actor} entered a wrong second-factor code"), fields=hidden_user)
    a("core.totp.disable", _("{actor} turned off the second factor"), fields=hidden_user)
    a("core.totp.disable_failed", _("{actor} failed to turn off the second factor"),
      fields={**hidden_user, "fields": Field(hidden=True)})
    a("core.totp.recovery_regenerate", _("{actor} made new recovery codes"),
      fields={**hidden_user, "recovery_codes": _("recovery codes")})
    a("core.export_unmasked", _("{actor} exported {rows} rows of {object} with personal data unmasked"),
      fields={"purpose": _("purpose"), "filters": _("filters")})
    a("core.calendar_day_set", _("{actor} set {date} in the working calendar"))
    a("core.calendar_day_clear", _("{actor} removed {date} from the working calendar"))
    # Written by `tiaokuai demo load`; the account list and row counts are in the accounts file.
    a("demo.load", _("{actor} loaded the demo county (scale {scale})"),
      fields={"accounts": Field(hidden=True), "counts": Field(hidden=True), "seed": _("seed"),
              "forced": Field(_("wiped first"), kind="bool")})
