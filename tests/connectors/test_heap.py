"""connectors/rasa_server/heap.py: the heap is frozen once per model, and a replaced model is freed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from types import SimpleNamespace

import pytest

from connectors.rasa_server.heap import HeapWatch, watch_heap_after_start


class Processor:
    """Stands in for Rasa's MessageProcessor: a model's objects refer to each other."""

    def __init__(self) -> None:
        self.graph = {"owner": self}  # a reference cycle, like the real model's


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()  # leave the test process as it was


async def until(condition, timeout: float = 30.0) -> None:
    """Wait for a condition, not for a fixed time: fast when the machine is, and
    patient when it is busy."""
    deadline = asyncio.get_event_loop().time() + timeout
    while not condition():
        assert asyncio.get_event_loop().time() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.005)


def test_freezes_once_per_model_and_frees_the_previous_one():
    watch, agent = HeapWatch(), SimpleNamespace(processor=None)
    assert watch.check(agent) is False  # no model loaded yet
    assert gc.get_freeze_count() == 0

    agent.processor = Processor()
    assert watch.check(agent) is True
    assert gc.get_freeze_count() > 0
    assert watch.check(agent) is False  # same model: nothing to do

    old = weakref.ref(agent.processor)
    agent.processor = Processor()  # a model pull replaced it
    assert old() is not None  # frozen cycle: collections skip it until the watch runs
    assert watch.check(agent) is True
    assert old() is None  # unfrozen, collected


def test_the_listener_starts_the_watch_as_a_server_task():
    gc.unfreeze()  # so the freeze below is this test's
    tasks = []
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(processor=Processor())), add_task=tasks.append)
    asyncio.run(watch_heap_after_start(app))
    assert len(tasks) == 1

    async def first_round():
        runner = asyncio.ensure_future(tasks[0])
        await until(lambda: gc.get_freeze_count() > 0)
        runner.cancel()

    asyncio.run(first_round())
    assert gc.get_freeze_count() > 0


def test_an_error_in_the_watch_does_not_stop_the_server(caplog):
    class Broken:
        @property
        def processor(self):
            raise RuntimeError("agent half loaded")

    async def one_round():
        runner = asyncio.ensure_future(
            HeapWatch().run(SimpleNamespace(ctx=SimpleNamespace(agent=Broken())), every=0.01)
        )
        await until(lambda: len([r for r in caplog.records if r.levelname in ("ERROR", "WARNING")]) >= 2)
        alive = not runner.done()  # it logged the error twice and kept going
        runner.cancel()
        return alive

    assert asyncio.run(one_round()) is True
    assert "Could not freeze the heap" in caplog.text
