from typing import ClassVar

from kindred.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "notifications"
    http_port: int = 8003
