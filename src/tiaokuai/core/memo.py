"""A few seconds of in-process memory for hot, rarely changing reads on write paths (a village by code, the
list's answer for a matter, a body's staff): a change reaches the path at most `seconds` later. Off in tests
(they roll back their rows; a memory would outlive them)."""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings


class Memo:
    def __init__(self, setting: str, *, default_seconds: float = 10, max_entries: int = 1000) -> None:
        self.setting = setting  # the TIAOKUAI[...] key that sets the seconds
        self.default_seconds = default_seconds
        self.max_entries = max_entries
        self._entries: dict[tuple, tuple[float, Any]] = {}

    def seconds(self) -> float:
        if getattr(settings, "TESTING", False):
            return 0.0
        return float(settings.TIAOKUAI.get(self.setting, self.default_seconds))

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        ttl = self.seconds()
        if ttl <= 0:
            return compute()
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        if len(self._entries) > self.max_entries:
            self._entries.clear()
        self._entries[key] = (now + ttl, value)
        return value

    def clear(self) -> None:
        self._entries.clear()


class Keep:
    """In-process memory without a time limit, for answers that are a pure function of their key (the key holds
    everything they show: e.g. a published list release, which never changes, with the registry names it shows).
    Bounded: past `max_entries` the oldest entry goes. Unlike Memo it is on in tests too; tests forget every
    Keep between tests (tests/conftest.py), since their rolled-back ids come back."""

    _all: "list[Keep]" = []

    def __init__(self, *, max_entries: int = 32) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple, Any] = {}
        Keep._all.append(self)

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        try:
            return self._entries[key]
        except KeyError:
            pass
        return self.set(key, compute())

    def set(self, key: tuple, value: Any) -> Any:
        self._entries.pop(key, None)
        while len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)), None)
        self._entries[key] = value
        return value

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()

    @classmethod
    def forget_all(cls) -> None:
        for keep in cls._all:
            keep.clear()
