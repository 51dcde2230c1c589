"""python -m services.rag: build settings, bootstrap, run until SIGTERM."""

import asyncio

from libs.observability import setup_observability
from libs.runtime import run_service
from services.rag.bootstrap import NAME, bootstrap
from services.rag.settings import RagSettings


def main() -> None:
    settings = RagSettings()
    setup_observability(NAME, level=settings.platform.log_level, json_logs=settings.platform.json_logs)
    service = bootstrap(settings)
    asyncio.run(run_service(service, host=settings.platform.http_host, port=settings.platform.http_port))


if __name__ == "__main__":
    main()
