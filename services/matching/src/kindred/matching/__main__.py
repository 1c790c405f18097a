"""python -m kindred.matching"""

from kindred.matching.app import create_app
from kindred.matching.settings import MatchingSettings
from kindred.service import serve


def main() -> None:
    serve(create_app, MatchingSettings.load())


if __name__ == "__main__":
    main()
