from kindred.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: str = "notifications"
    # Handlers only insert documents of their own: partitions can run in parallel.
    kafka_consumers_per_topic: int = 3
    http_port: int = 8003
