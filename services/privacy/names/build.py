"""Rebuild first_names.txt (the given-name list NameFinder uses) from Faker's person providers.

Provenance: Faker 40.54.0 (https://github.com/joke2k/faker, MIT licence), every locale's `first_names*` lists;
kept: Latin-script names of 3+ letters that are not common English words (COMMON below). Faker is not a
dependency of the product: point this script at a downloaded wheel or an installed Faker.
Run: `pip download faker==40.54.0 --no-deps -d /tmp/faker && python -m services.privacy.names.build
/tmp/faker/faker-40.54.0-py3-none-any.whl` (the wheel path is put on sys.path; omit it when Faker is installed).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Names that are also everyday capitalised words at a sentence start or in a product name.
COMMON = set(
    str.split(
        """Will May June Grace Hope Mark Rose Bill Art Page Love Young King Long Street House Hill Park Rich Gay Case
    Price Bank Card Best Child Car Cash Home Mobile Help Dear Thanks Thank Please Call Phone Order Account Service
    Support Team Date Time Day Week Year Email Mail Post Office City State Country Street Road Lane Avenue North
    South East West New Old Big Little Green Brown White Black Gray Grey Holiday Summer Winter Spring Autumn Fall
    Sunday Monday Tuesday Wednesday Thursday Friday Saturday January February March April July August September
    October November December Christmas Easter Chase Sterling Guy Bob Pat Don Ray Gene Sky Star Joy Faith Dawn
    Crystal Amber Ruby Pearl Jewel Ivy Holly Iris Lily Daisy Hazel Olive Violet Autumn Summer Winter Storm River
    Forest Stone Wood Field Ford Marsh Bush Bell Hall Church Cross Well Wells Lake Bay Moon Sun Rain Snow Frost
    Major Judge Bishop Dean Duke Earl Prince Baron Knight Page Miller Turner Baker Cook Hunter Fisher Mason"""
    )
)


def _is_latin(name: str) -> bool:
    return len(name) >= 3 and all((c.isalpha() and ord(c) < 0x250) or c in "-'’" for c in name)


def collect() -> set[str]:
    import faker.providers.person as person  # imported here: only the rebuild needs Faker

    first: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{info.name}").Provider
        except Exception:  # a locale module that needs an optional import
            continue
        for attr in ("first_names", "first_names_male", "first_names_female"):
            values = getattr(provider, attr, None)
            if isinstance(values, (list, tuple, dict)):  # some locales compute them (a property)
                first.update(v for v in values if _is_latin(v) and v not in COMMON)
    return first


def main() -> None:
    sys.path[:0] = sys.argv[1:]
    first = collect()
    (HERE / "first_names.txt").write_text("\n".join(sorted(first)) + "\n", encoding="utf-8")
    print(f"{len(first)} first names")


if __name__ == "__main__":
    main()
