"""How registry audit events read on a timeline, and who an actor is ("单位 姓名");
registered from OrgConfig.ready()."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline
from tiaokuai.core.timeline import Field

from .models import Membership, Person


def actor_names(user_ids: set[int]) -> Mapping[int, str]:
    """Users → "单位 姓名" (the unit of their first membership), or the person's name alone; two queries."""
    names: dict[int, str] = dict(Person.objects.filter(user_id__in=user_ids).values_list("user_id", "name"))
    units: dict[int, str] = {}
    rows = (Membership.objects.filter(person__user_id__in=user_ids)
            .order_by("person__user_id", "-is_head", "pk")
            .values_list("person__user_id", "organisation__short_name", "organisation__name"))
    for user_id, short, full in rows:
        units.setdefault(user_id, short or full)
    return {uid: f"{units[uid]} {name}" if uid in units else name for uid, name in names.items() if name}


def register() -> None:
    timeline.register_actor_names(actor_names)
    a = timeline.register_action
    a("org.division.create", _("{actor} added the division {name}"))
    a("org.division.update", _("{actor} edited the division {object}"))
    a("org.organisation.create", _("{actor} added the unit {name}"))
    a("org.organisation.update", _("{actor} edited the unit {object}"))
    a("org.person.create", _("{actor} registered {name}"))
    a("org.person.update", _("{actor} edited the person {object}"))
    a("org.person.view_personal_data", _("{actor} viewed the personal data of {object}"),
      fields={"purpose": _("purpose"), "fields": Field(hidden=True)})
    a("org.membership.create", _("{actor} gave {person} a role in {organisation}"))
    a("org.membership.update", _("{actor} changed the role of {person} in {organisation}"))
    a("org.membership.end", _("{actor} ended the role of {person} in {organisation}"))
    a("org.quota.set", _("{actor} set the establishment quota of {organisation}"))
    a("org.assignment.create", _("{actor} assigned {person} to {organisation}"),
      fields={"over_establishment": Field(_("over the establishment quota"), kind="bool"),
              "over_leadership": Field(_("over the leadership posts"), kind="bool")})
    a("org.assignment.end", _("{actor} ended the assignment of {person} to {organisation}"))
    a("org.certificate.issue", _("{actor} issued certificate {number} to {holder}"))
    a("org.certificate.renew", _("{actor} renewed certificate {number} of {holder}"))
    a("org.certificate.revoke", _("{actor} revoked certificate {number} of {holder}"))
