from typing import ClassVar

from kindred.notifications.channels.settings import ChannelSettings
from kindred.settings import ServiceSettings


# ChannelSettings: SMTP, webhooks, the SMS provider and the push gateway (unset: not used).
class NotificationsSettings(ServiceSettings, ChannelSettings):
    service_name: ClassVar[str] = "notifications"
    # INTERNAL_API_TOKEN guards the internal inbox API the gateway calls.
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_api_token",)
    http_port: int = 8003
