from django.tasks import task


@task()
def send_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Try each delivery once now; failures are recorded on the row and retried by the sweep."""
    from .services import delivery_attempt

    counts: dict[str, int] = {}
    for pk in delivery_ids:
        result = delivery_attempt(delivery_id=pk)
        counts[result] = counts.get(result, 0) + 1
    return counts
