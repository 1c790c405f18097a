"""python -m kindred.gateway"""

from kindred.gateway.app import create_app
from kindred.gateway.settings import GatewaySettings
from kindred.service import serve


def main() -> None:
    serve(create_app, GatewaySettings.load())


if __name__ == "__main__":
    main()
