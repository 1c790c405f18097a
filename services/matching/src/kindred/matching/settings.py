from kindred.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: str = "matching"
    http_port: int = 8001
    # How many candidate supporters one request considers.
    candidate_limit: int = 200
