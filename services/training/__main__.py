"""python -m services.training: build settings, bootstrap, run until SIGTERM.
python -m services.training --serve NAME: the model server of a kubernetes deployment's pods (serve.py)."""

import argparse

from libs.runtime import run_process
from services.training.bootstrap import NAME, bootstrap
from services.training.settings import TrainingSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.training")
    parser.add_argument("--serve", metavar="DEPLOYMENT_NAME", help="serve one deployed model version instead")
    args = parser.parse_args()
    if args.serve:
        from services.training.serve import serve  # only the model server's pods load FastAPI's app for it

        serve(args.serve)
        return
    settings = TrainingSettings()
    run_process(NAME, settings.platform, lambda: bootstrap(settings))


if __name__ == "__main__":
    main()
