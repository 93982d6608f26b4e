"""Injected faults: added latency, 429 flow control every Nth request, a rate of 5xx answers."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from scripts.mock.errors import FLOW_CONTROL, SYSTEM_ERROR
from scripts.mock.options import MockOptions


@dataclass(frozen=True)
class Fault:
    """An error answer to send instead of the real one."""

    status: int
    code: str
    message: str
    retry_after: int | None


class Faults:
    """Decides, request by request, whether to delay and whether to fail.

    Draws come from one generator seeded with ``options.seed`` and are taken only when a rate
    is set, so the same seed and the same order of requests give the same faults.
    """

    def __init__(self, options: MockOptions) -> None:
        self._options = options
        # Reproducible, not secret: the point of a seed is to replay the same faults.
        self._random = random.Random(options.seed)  # noqa: S311
        self._requests = 0

    async def delay(self) -> None:
        """Wait the configured latency."""
        if self._options.latency_ms:
            await asyncio.sleep(self._options.latency_ms / 1000)

    def draw(self) -> Fault | None:
        """The fault for the next request to an operation, or ``None`` to answer it normally."""
        options = self._options
        self._requests += 1
        if options.rate_limit_every and self._requests % options.rate_limit_every == 0:
            return Fault(
                429,
                FLOW_CONTROL,
                "Api flow control Error because too many requests were sent.",
                options.retry_after,
            )
        if options.error_rate and self._random.random() < options.error_rate:
            if self._random.random() < 0.5:
                return Fault(
                    500, SYSTEM_ERROR, "A system exception occurred (injected fault).", None
                )
            message = "The service is temporarily unavailable (injected fault). Try again later."
            return Fault(503, SYSTEM_ERROR, message, options.retry_after)
        return None
