"""The live queue is read from the store at most once per QUEUE_READ_SECONDS per set of queues,
however many consoles poll: reads within that time, and reads while one is under way, share its
answer; a failed read is not kept."""

from __future__ import annotations

import asyncio

import pytest

from kindred.casework.routes import RecentRead

pytestmark = pytest.mark.unit


class Store:
    def __init__(self) -> None:
        self.asked = 0
        self.fail = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def read(self) -> int:
        self.asked += 1
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("the store does not answer")
        return self.asked


async def test_reads_within_the_time_and_under_way_share_one_store_read() -> None:
    now = [0.0]
    recent: RecentRead[str, int] = RecentRead(1.0, clock=lambda: now[0])
    store = Store()
    store.gate.clear()
    waiting = [asyncio.ensure_future(recent.get("safety", store.read)) for _ in range(5)]
    await asyncio.sleep(0)
    store.gate.set()
    assert await asyncio.gather(*waiting) == [1] * 5
    now[0] = 0.9
    assert await recent.get("safety", store.read) == 1
    assert await recent.get("moderation", store.read) == 2  # another set of queues
    now[0] = 1.0
    assert await recent.get("safety", store.read) == 3  # the time is up: read again
    assert store.asked == 3


async def test_a_failed_read_is_not_kept_and_zero_seconds_reads_every_time() -> None:
    recent: RecentRead[str, int] = RecentRead(60.0, clock=lambda: 0.0)
    store = Store()
    store.fail = True
    with pytest.raises(RuntimeError):
        await recent.get("safety", store.read)
    store.fail = False
    assert await recent.get("safety", store.read) == 2
    always: RecentRead[str, int] = RecentRead(0.0, clock=lambda: 0.0)
    assert [await always.get("k", store.read) for _ in range(2)] == [3, 4]
