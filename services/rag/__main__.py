"""python -m services.rag: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.rag.bootstrap import NAME, bootstrap
from services.rag.settings import RagSettings


def main() -> None:
    settings = RagSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
