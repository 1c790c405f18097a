from pydantic import Field

from kindred.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8001
    # How many candidate supporters one request considers.
    candidate_limit: int = Field(default=200, ge=1, le=10_000)
    # Requests no supporter fitted are tried again this often, oldest first, this many a round.
    rematch_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    rematch_batch_size: int = Field(default=100, ge=1, le=10_000)
