"""`PartitionedConsumer.holds`: what the sender asks before each send (fencing). A partition is
held only while it is taken over and not being released, and while the replica's fetch loop
has polled within the Kafka session: a replica paused longer may have lost it unknowingly."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pytest

from kindred.partitions.consumer import PartitionedConsumer, _Partition
from kindred.partitions.log import Head
from kindred.settings import ServiceSettings

pytestmark = pytest.mark.unit


class Settings(ServiceSettings):
    service_name: ClassVar[str] = "holds"


class Nothing:
    events = ()
    stores = ()


def consumer() -> PartitionedConsumer:
    return PartitionedConsumer(
        Settings(kindred_dev_mode=True, kafka_session_timeout_seconds=10),
        broker=None,  # type: ignore[arg-type]
        db={"partition_log": None},  # type: ignore[arg-type]
        processor=Nothing(),  # type: ignore[arg-type]
    )


def owned(runtime: PartitionedConsumer, number: int, *, taken_over: bool = True) -> Any:
    part = _Partition(number, [])
    if taken_over:
        part.head = Head(number, 1, "me", {})
    runtime.owned[number] = part
    return part


def test_a_partition_is_held_once_taken_over_while_the_fetch_loop_polls() -> None:
    runtime = consumer()
    owned(runtime, 1)
    owned(runtime, 2, taken_over=False)
    assert not runtime.holds(1)  # no poll has returned yet
    runtime._polled_at = time.monotonic()
    assert runtime.holds(1)
    assert not runtime.holds(2)  # assigned, not yet taken over
    assert not runtime.holds(3)  # not assigned here


def test_a_partition_being_released_is_not_held() -> None:
    runtime = consumer()
    part = owned(runtime, 1)
    runtime._polled_at = time.monotonic()
    part.closing = True
    assert not runtime.holds(1)


def test_a_replica_whose_last_poll_began_a_session_ago_holds_nothing() -> None:
    """Paused (SIGSTOP, a stalled VM) past its session: the group may have given its
    partitions to another replica; until a new poll returns it holds nothing."""
    runtime = consumer()
    owned(runtime, 1)
    runtime._polled_at = time.monotonic() - 10.5
    assert not runtime.holds(1)
    runtime._polled_at = time.monotonic() - 9.0
    assert runtime.holds(1)


def test_a_stopping_replica_holds_nothing() -> None:
    runtime = consumer()
    owned(runtime, 1)
    runtime._polled_at = time.monotonic()
    runtime._stopping = True
    assert not runtime.holds(1)
