"""Helpers shared by the Pilot (app) tests."""

from __future__ import annotations

import asyncio
import functools


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
