"""python -m services.conversation: build settings, bootstrap, run until SIGTERM."""

from libs.runtime import run_process
from services.conversation.bootstrap import NAME, bootstrap
from services.conversation.settings import ConversationSettings


def main() -> None:
    settings = ConversationSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
