"""python -m services.training: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.training.bootstrap import NAME, bootstrap
from services.training.settings import TrainingSettings


def main() -> None:
    settings = TrainingSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
