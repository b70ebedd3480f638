"""Password checks off the web app's event loop.

One argon2 verify takes tens of milliseconds of CPU by design; run on the event loop, a
handful of parallel failed logins stalled every other request of the process (the
widget config, feedback, model pulls: 8 logins made /health take 2.4 s). The checks
run on two threads of their own, so a login flood waits for those threads and the rest
of the web app keeps answering; argon2 releases the GIL while it hashes."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Callable, TypeVar

T = TypeVar("T")
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


async def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` on the hashing threads, awaited."""
    return await asyncio.get_running_loop().run_in_executor(_HASHING, partial(function, *args, **kwargs))
