"""Demo county: train the first routing model from the list in force and the demo whistle history,
so suggestions work at once and the model page shows a measured accuracy."""

from typing import Any


def load(*, rng: Any, county: Any, scale: Any, release: Any) -> None:
    from .services import routing_train

    routing_train()
