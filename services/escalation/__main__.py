"""python -m services.escalation: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.escalation.bootstrap import NAME, bootstrap
from services.escalation.settings import EscalationSettings


def main() -> None:
    settings = EscalationSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
