"""The escalation sweep (bodies follow)."""


def register() -> None:
    from tiaokuai.core import sweeps

    sweeps.register("whistles.escalate")(escalate)


def escalate(now):
    return {}
