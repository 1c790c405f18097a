from typing import ClassVar

from kindred.settings import ServiceSettings


class CheckinsSettings(ServiceSettings):
    service_name: ClassVar[str] = "checkins"
    http_port: int = 8002
