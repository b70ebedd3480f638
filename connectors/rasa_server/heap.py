"""Keeps Python's full garbage collections short in a Rasa server.

Why: a loaded model leaves millions of container objects in a Rasa process: TensorFlow
and Keras, the graph components, the domain. Python's full (generation 2) collection
visits every one of them. Measured under `make bench` with gc.callbacks, each such
collection took 0.5-1.9 s, and during it the instance answers no one. Because nginx
balances the load evenly, the three instances reach the collection threshold within
seconds of each other. Those pauses were the 2 s p99 and most of the p95 above 1 s
(docs/performance.md).

What it does: once the model is loaded, `gc.freeze()` moves everything alive into a
permanent generation that later collections skip. They then visit only what turns
allocate, and take milliseconds.

Frozen objects are still freed by reference counting. Only cycles among them would stay
until unfrozen, so when the server loads another model (a pull from the model server or a
PUT /model) the watcher unfreezes, collects the previous model's cycles and freezes the new
one. That costs one long collection per model change, next to a model load that blocks
for longer anyway.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import weakref
from typing import Any, Optional

logger = logging.getLogger(__name__)

WATCH_SECONDS = 30.0


def refreeze() -> int:
    """Unfreeze what an earlier call froze, collect the garbage among it, freeze what is
    alive now. Returns how many objects are frozen."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class HeapWatch:
    """Freezes the heap each time the agent has a different MessageProcessor (a model load).
    Holds the processor only weakly, so the previous model can be freed."""

    def __init__(self) -> None:
        self._frozen_for: Optional[weakref.ReferenceType] = None

    def check(self, agent: Any) -> bool:
        processor = getattr(agent, "processor", None)
        if processor is None:
            return False  # no model yet: nothing worth freezing
        if self._frozen_for is not None and self._frozen_for() is processor:
            return False
        count = refreeze()
        self._frozen_for = weakref.ref(processor)
        logger.info("Froze %d long-lived objects after a model load; full collections now skip them.", count)
        return True

    async def run(self, app: Any, every: float = WATCH_SECONDS) -> None:
        while True:
            try:
                self.check(getattr(app.ctx, "agent", None))
            except Exception:  # never let heap housekeeping take the server down
                logger.exception("Could not freeze the heap; collections stay slower.")
            await asyncio.sleep(every)


async def watch_heap_after_start(app: Any, _loop: Any = None) -> None:
    """Sanic `after_server_start` listener: by then Rasa has loaded its model."""
    app.add_task(HeapWatch().run(app))
