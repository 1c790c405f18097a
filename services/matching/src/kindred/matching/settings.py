from typing import ClassVar

from pydantic import Field

from kindred.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: ClassVar[str] = "matching"
    http_port: int = 8001
    # How many fitting supporters one request compares before asking the best of them.
    candidate_limit: int = Field(default=200, ge=1, le=10_000)
    # Requests no supporter fitted are tried again this often, oldest first, this many a round
    # per partition.
    rematch_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    rematch_batch_size: int = Field(default=100, ge=1, le=10_000)
    # How often a replica reloads the directory of all supporters (other replicas' too).
    directory_refresh_seconds: float = Field(default=1.0, gt=0, le=3600)
    # Matching's documents are read back only to rebuild a partition (which replays the log
    # first) and by other replicas' directory refresh: their writes can be gathered.
    write_behind_seconds: float = Field(default=0.25, ge=0, le=60)
