"""MongoDB wiring: the client factory, index declarations and error helpers.

Only the portable subset is used (CRUD, find_one_and_update with upsert, common update
operators, unique and compound indexes), so the same code runs on MongoDB and FerretDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from kindred.settings import ServiceSettings

Document = dict[str, Any]


def create_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        settings.mongodb_url,
        tz_aware=True,
        appname=settings.service_name,
        serverSelectionTimeoutMS=5000,
    )


def database(
    client: AsyncMongoClient[Document], settings: ServiceSettings
) -> AsyncDatabase[Document]:
    return client[settings.database_name]


@dataclass(frozen=True)
class Index:
    collection: str
    keys: list[tuple[str, int]]
    unique: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return "_".join(f"{k}_{d}" for k, d in self.keys) + ("_unique" if self.unique else "")


async def ensure_indexes(db: AsyncDatabase[Document], indexes: list[Index]) -> None:
    for index in indexes:
        await db[index.collection].create_index(
            index.keys, name=index.name, unique=index.unique, **index.options
        )


async def ping(client: AsyncMongoClient[Document]) -> bool:
    await client.admin.command("ping")
    return True


def only_duplicate_keys(exc: BulkWriteError) -> bool:
    """True when every error of a bulk insert is a duplicate key (11000): a replay."""
    errors = exc.details.get("writeErrors", [])
    return bool(errors) and all(e.get("code") == 11000 for e in errors)


__all__ = [
    "Document",
    "Index",
    "create_client",
    "database",
    "ensure_indexes",
    "only_duplicate_keys",
    "ping",
]
