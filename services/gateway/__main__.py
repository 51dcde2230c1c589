"""python -m services.gateway: build settings, bootstrap, serve the public API."""

import asyncio

from libs.observability import setup_observability
from libs.runtime import run_service
from services.gateway.bootstrap import NAME, bootstrap
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    setup_observability(NAME, level=settings.platform.log_level, json_logs=settings.platform.json_logs)
    asyncio.run(run_service(bootstrap(settings), host=settings.host, port=settings.port))


if __name__ == "__main__":
    main()
