from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.unit.gateway.support import Gateway, start


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async for running in start():
        yield running
