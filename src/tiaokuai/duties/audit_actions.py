"""How responsibility-list audit events read on a timeline (registered from DutiesConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline
from tiaokuai.core.timeline import Field
from tiaokuai.org.models import Domain

from .choices import DutyRole

# The parts of a matter replaced as a whole (duties.matter.set_<part>).
MATTER_PARTS = ("assignments", "steps")


def register() -> None:
    a = timeline.register_action
    release_fields = {"based_on": Field(hidden=True), "matters": _("matters")}
    a("duties.release.start_draft", _("{actor} started a draft version {number}"), fields=release_fields)
    a("duties.release.publish", _("{actor} published the list version {object}"), fields=release_fields)
    a("duties.release.update", _("{actor} edited the version's title and notes"), fields=release_fields)
    a("duties.release.discard", _("{actor} discarded the draft version {number}"), fields=release_fields)
    a("duties.release.import", _("{actor} imported the list from a spreadsheet"), fields=release_fields)
    matter_fields = {"domain": Field(_("domain"), lookup=timeline.model_lookup(Domain, key="code"))}
    a("duties.matter.create", _("{actor} added the matter {code} {name}"))
    a("duties.matter.update", _("{actor} edited the matter {object}"))
    a("duties.matter.delete", _("{actor} deleted the matter {code} {name}"), fields=matter_fields)
    parts = {
        "assignments": Field(_("responsible bodies")), "steps": Field(_("process steps")),
        "organisation": Field(hidden=True), "organisation_name": _("body"),
        "role": Field(_("responsibility"), choices=DutyRole), "duty": _("duty"),
        "order": _("step"), "action": _("action"), "time_limit_days": _("time limit (working days)"),
    }
    a("duties.matter.set_assignments", _("{actor} changed the responsible bodies of {object}"), fields=parts)
    a("duties.matter.set_steps", _("{actor} changed the process steps of {object}"), fields=parts)
