"""Helpers shared by the Pilot (app) tests."""

from __future__ import annotations

import asyncio
import functools

from textual.worker import WorkerState


def run_async(func):
    """Run an async Pilot test without a pytest asyncio plugin."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return asyncio.run(func(*args, **kwargs))
    return wrapper


async def settle(app, pilot) -> None:
    """Wait until the app's workers are done and the screen has caught up."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def busy(app, *groups: str) -> bool:
    """A worker of one of ``groups`` is still to run or running (a worker just started is PENDING, not
    ``is_running``: waiting on ``is_running`` alone can pass before it starts)."""
    return any(w.group in groups and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
