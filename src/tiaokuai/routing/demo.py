"""Demo county: train the first routing model from the list in force, so suggestions work at once."""

from typing import Any


def load(*, rng: Any, county: Any, scale: Any, release: Any) -> None:
    from .services import routing_train

    routing_train(history=[])
