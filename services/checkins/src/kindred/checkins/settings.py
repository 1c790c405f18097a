from kindred.settings import ServiceSettings


class CheckinsSettings(ServiceSettings):
    service_name: str = "checkins"
    # Handlers only insert documents of their own: partitions can run in parallel.
    kafka_consumers_per_topic: int = 3
    http_port: int = 8002
