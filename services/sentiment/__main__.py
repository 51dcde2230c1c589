"""python -m services.sentiment: build settings, bootstrap, run until SIGTERM."""

import asyncio

from libs.observability import setup_observability
from libs.runtime import run_service
from services.sentiment.bootstrap import NAME, bootstrap
from services.sentiment.settings import SentimentSettings


def main() -> None:
    settings = SentimentSettings()
    setup_observability(NAME, level=settings.platform.log_level, json_logs=settings.platform.json_logs)
    service = bootstrap(settings)
    asyncio.run(run_service(service, host=settings.platform.http_host, port=settings.platform.http_port))


if __name__ == "__main__":
    main()
