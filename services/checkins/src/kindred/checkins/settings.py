from kindred.settings import ServiceSettings


class CheckinsSettings(ServiceSettings):
    service_name: str = "checkins"
    http_port: int = 8002
