"""python -m kindred.notifications"""

from kindred.notifications.app import create_app
from kindred.notifications.settings import NotificationsSettings
from kindred.service import serve


def main() -> None:
    serve(create_app, NotificationsSettings.load())


if __name__ == "__main__":
    main()
