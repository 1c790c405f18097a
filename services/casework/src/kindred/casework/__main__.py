"""python -m kindred.casework"""

from kindred.casework.app import create_app
from kindred.casework.settings import CaseworkSettings
from kindred.service import serve


def main() -> None:
    serve(create_app, CaseworkSettings.load())


if __name__ == "__main__":
    main()
