"""python -m kindred.checkins"""

from kindred.checkins.app import create_app
from kindred.checkins.settings import CheckinsSettings
from kindred.service import serve


def main() -> None:
    serve(create_app, CheckinsSettings.load())


if __name__ == "__main__":
    main()
