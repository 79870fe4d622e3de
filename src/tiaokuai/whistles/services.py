"""Writes of the whistle flow (signatures fixed by the contract; bodies follow)."""

from typing import Any


def copy_items(old, new) -> None:
    raise NotImplementedError


def publish_problems(release) -> dict[str, list[str]]:
    return {}


def whistle_raise(*, actor, item_code, village_code, description, urgency="normal", grid_code=None, address="",
                  latitude=None, longitude=None, attachments=()) -> Any:
    raise NotImplementedError


def whistle_route_manually(*, actor, whistle_id, lead_code, assist_codes) -> Any:
    raise NotImplementedError


def dispatch_respond(*, actor, dispatch_id) -> Any:
    raise NotImplementedError


def dispatch_arrive(*, actor, dispatch_id, people, arrived_at=None) -> Any:
    raise NotImplementedError


def dispatch_add_note(*, actor, dispatch_id, text, attachments=()) -> Any:
    raise NotImplementedError


def dispatch_resolve(*, actor, dispatch_id, outcome, note="") -> Any:
    raise NotImplementedError


def dispatch_dispute(*, actor, dispatch_id, reason) -> Any:
    raise NotImplementedError


def dispute_decide(*, actor, dispute_id, decision, organisation_code=None, note="") -> Any:
    raise NotImplementedError


def whistle_confirm(*, actor, whistle_id) -> Any:
    raise NotImplementedError


def whistle_return(*, actor, whistle_id, reason, dispatch_ids=None) -> Any:
    raise NotImplementedError


def whistle_rate(*, actor, whistle_id, ratings) -> Any:
    raise NotImplementedError


def whistle_close(*, actor, whistle_id) -> Any:
    raise NotImplementedError


def whistle_reopen(*, actor, whistle_id, reason) -> Any:
    raise NotImplementedError
