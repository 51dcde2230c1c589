"""Rebuild the word lists NameFinder uses: first_names.txt, last_names.txt and common_words.txt.

Provenance: Faker 40.54.0 (https://github.com/joke2k/faker, MIT licence), every locale's `first_names*` and
`last_names*` lists. first_names.txt keeps Latin-script names of 3+ letters that are not common English words
(COMMON below); last_names.txt keeps every Latin-script surname of 3+ letters (common words included: it is used
to keep a name such as "Baker" that spaCy found, and to take "X Baker" after a naming cue, never alone).
common_words.txt: the lower-case entries of SCOWL's size-50 American English list as Debian's `wamerican`
package installs it (/usr/share/dict/american-english, 2020.12.07; SCOWL is Copyright 2000-2011 Kevin Atkinson,
permission to use, copy, modify, distribute and sell granted provided the notice is kept: see COPYING.scowl here),
less possessives and capitalised entries (proper nouns); words that are names too ("rose", "baker") are kept: the
name finder asks the name lists first where a name may be a word.
Faker is not a dependency of the product: point this script at a downloaded wheel or an installed Faker.
Run: `apt-get install wamerican && pip download faker==40.54.0 --no-deps -d /tmp/faker &&
python -m services.privacy.names.build /tmp/faker/faker-40.54.0-py3-none-any.whl` (the wheel path is put on
sys.path; omit it when Faker is installed).
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


DICTIONARY = Path("/usr/share/dict/american-english")


def collect(kind: str = "first") -> set[str]:
    """Every Latin-script name of Faker's person providers under `<kind>_names*`."""
    import faker.providers.person as person  # imported here: only the rebuild needs Faker

    names: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"faker.providers.person.{info.name}").Provider
        except Exception:  # a locale module that needs an optional import
            continue
        for attr in (f"{kind}_names", f"{kind}_names_male", f"{kind}_names_female"):
            values = getattr(provider, attr, None)
            if isinstance(values, (list, tuple, dict)):  # some locales compute them (a property)
                names.update(v for v in values if _is_latin(v))
    return names


def common_words() -> set[str]:
    """SCOWL's lower-case words (proper nouns are capitalised there)."""
    return {w for w in DICTIONARY.read_text(encoding="utf-8").split() if w.islower() and w.isalpha()}


def main() -> None:
    sys.path[:0] = sys.argv[1:]
    first, last = collect("first"), collect("last")
    lists = {
        "first_names.txt": {n for n in first if n not in COMMON},
        "last_names.txt": last,
        "common_words.txt": common_words(),
    }
    for file, values in lists.items():
        (HERE / file).write_text("\n".join(sorted(values)) + "\n", encoding="utf-8")
        print(f"{file}: {len(values)}")


if __name__ == "__main__":
    main()
