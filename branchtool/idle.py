"""When to lock by itself: after a stretch without keys or clicks."""

from __future__ import annotations

import time
from collections.abc import Callable


class IdleTimer:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self.last = clock()

    def touch(self) -> None:
        """The user did something."""
        self.last = self.clock()

    def expired(self) -> bool:
        return self.clock() - self.last >= self.seconds

    @property
    def check_every(self) -> float:
        """How often to look: often enough to lock within a few percent late."""
        return max(0.02, min(5.0, self.seconds / 20))
