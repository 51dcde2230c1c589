"""python -m services.analytics [rebuild]: run the service until SIGTERM, or drop the rollups and replay them."""

import asyncio
import sys

from libs.runtime import run_process
from services.analytics.bootstrap import NAME, bootstrap
from services.analytics.rebuild import rebuild
from services.analytics.settings import AnalyticsSettings


def main(argv: list[str]) -> None:
    settings = AnalyticsSettings()
    if argv[:1] == ["rebuild"]:
        events = asyncio.run(rebuild(settings))
        print(f"analytics rebuild: {events} events replayed")
        return
    if argv:
        raise SystemExit("usage: python -m services.analytics [rebuild]")
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main(sys.argv[1:])
