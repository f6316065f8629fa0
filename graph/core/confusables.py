"""The look-alike skeleton of an e-mail address: two addresses a person reads as the same get the
same skeleton, so a registration with a Cyrillic "а" or a fullwidth "ａ" is recognised as the
person already registered (``Person.emailSkeleton``, unique; graph/core/migrations.py).

Why a small table here and not a library. UTS #39's own skeleton (ICU's ``SpoofChecker``, in
PyPI's ``pyicu``) is the reference, but pyicu ships no wheels: every install would compile it
against the system's ICU (a C++ tool chain and libicu-dev in the image, CI and every worktree).
The pure-Python packages do not compute the skeleton: ``confusable-homoglyphs`` (3.3.1, 2024)
keeps the confusables data without the prototype direction and only answers "is it
confusable", ``confusables`` was last released in 2021. And the full UTS #39 skeleton is wrong
for this use: it also maps ASCII to ASCII ("rn" → "m", "1" → "l", "0" → "O"), so
``nguyen1@x.vn`` and ``nguyenl@x.vn``, two real and different mailboxes, would collide, and a
collision here means the second person cannot register. So the skeleton keeps every ASCII
character as it is and maps only non-ASCII letters that look like an ASCII letter, with
prototypes taken from Unicode's confusables.txt (UTS #39 data): an ASCII address's skeleton is
the address itself.

Steps: NFKC (fullwidth, mathematical and other compatibility forms become plain letters: "ａ",
"𝐚" → "a"), lower case, invisible characters removed, then ``_PROTOTYPES``. Latin letters with
diacritics ("é", "ệ") are different letters, not look-alikes, and stay.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)

# Lower-case non-ASCII letters whose confusables.txt prototype is an ASCII letter. Upper-case
# forms are lower-cased first (Cyrillic "А" → "а" → "a").
_PROTOTYPES: Final[dict[str, str]] = {
    # Cyrillic
    "а": "a",  # U+0430
    "с": "c",  # U+0441
    "ԁ": "d",  # U+0501
    "е": "e",  # U+0435
    "һ": "h",  # U+04BB
    "і": "i",  # U+0456
    "ј": "j",  # U+0458
    "ӏ": "l",  # U+04CF
    "о": "o",  # U+043E
    "р": "p",  # U+0440
    "ԛ": "q",  # U+051B
    "ѕ": "s",  # U+0455
    "ԝ": "w",  # U+051D
    "х": "x",  # U+0445
    "у": "y",  # U+0443
    "ү": "y",  # U+04AF
    "ѵ": "v",  # U+0475
    # Greek
    "α": "a",  # U+03B1
    "ι": "i",  # U+03B9
    "ο": "o",  # U+03BF
    "ρ": "p",  # U+03C1
    "ν": "v",  # U+03BD
    "γ": "y",  # U+03B3
    # Armenian
    "օ": "o",  # U+0585
    "ս": "u",  # U+057D
    "հ": "h",  # U+0570
    "ո": "n",  # U+0578
    "ց": "g",  # U+0581
    # Latin letters outside ASCII that are drawn like an ASCII one
    "ı": "i",  # U+0131 dotless i
    "ɑ": "a",  # U+0251
    "ɡ": "g",  # U+0261
    "ɩ": "i",  # U+0269
}
_TABLE: Final = str.maketrans(_PROTOTYPES)


def email_skeleton(email: str) -> str:
    """The address as a reader sees it; equal skeletons are treated as one mailbox."""
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", email)).lower()
    return folded.translate(_TABLE)
