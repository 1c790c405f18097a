from typing import ClassVar

from kindred.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "notifications"
    # INTERNAL_API_TOKEN guards the internal inbox API the gateway calls.
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_api_token",)
    http_port: int = 8003
