"""python -m services.sentiment: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.sentiment.bootstrap import NAME, bootstrap
from services.sentiment.settings import SentimentSettings


def main() -> None:
    settings = SentimentSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
