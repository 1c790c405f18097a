"""Fixtures shared by every test layer. Infrastructure starts once per session, on demand."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.infra import Infra, provide_infra


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with provide_infra() as provided:
        yield provided


@pytest.fixture
def namespace() -> str:
    """A fresh topic/group/database prefix: tests sharing one broker never see each other."""
    return f"t{uuid.uuid4().hex[:12]}"
