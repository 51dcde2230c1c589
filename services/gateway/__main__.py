"""python -m services.gateway: build settings, bootstrap, serve the public API."""

from libs.runtime import run_process
from services.gateway.bootstrap import NAME, bootstrap
from services.gateway.settings import GatewaySettings


def main() -> None:
    settings = GatewaySettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
