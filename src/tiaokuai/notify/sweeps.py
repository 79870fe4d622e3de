from datetime import datetime

from tiaokuai.core import sweeps


@sweeps.register("notify.retry")
def retry(now: datetime) -> dict[str, int]:
    from .services import retry_due

    return retry_due(now=now)
