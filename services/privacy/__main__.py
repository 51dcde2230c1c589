"""python -m services.privacy: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.privacy.bootstrap import NAME, bootstrap
from services.privacy.settings import PrivacySettings


def main() -> None:
    settings = PrivacySettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
