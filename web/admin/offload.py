"""The admin's slow work, off the web app's event loop.

The same process serves the widget config, the feedback API and the model the Rasa
servers pull. Reading and saving knowledge parses YAML files and validates the whole
knowledge base (seconds for a save, tens of seconds for a spreadsheet import); the
statistics read the conversation store. Run on the loop, that work stalled every other
request for its whole length. Here it runs on two threads of its own: a staff save
waits for those threads, the widget and WeChat never do. Two saves at once are still
one after the other: the editor holds a file lock while it writes (kb/editing.py)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_KNOWLEDGE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="admin-work")


async def work(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` on the admin's work threads, awaited; its exceptions
    are raised here as they would be on the loop."""
    return await asyncio.get_running_loop().run_in_executor(_KNOWLEDGE, partial(function, *args, **kwargs))
