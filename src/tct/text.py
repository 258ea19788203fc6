"""Vietnamese text: NFC storage and accent-folded search keys.

Input methods (Unikey, macOS, phones) send either precomposed (NFC) or decomposed (NFD)
Vietnamese; stored text is always NFC so equal names compare equal. Search keys fold
case and diacritics, with đ/Đ → d, so `nguyen van duc` finds `Nguyễn Văn Đức`.
"""

from __future__ import annotations

import re
import unicodedata

from tct.errors import ValidationError

_SPACES = re.compile(r"\s+")
_COMBINING_CLASS_MARKS = ("Mn",)
# C0/C1 control characters other than tab and newline are never legitimate in a register.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Field lengths: generous for real use, bounded so a pasted 100 KB blob is refused.
MAX_NAME = 200
MAX_LINE = 500
MAX_TEXT = 10_000


def _single_spaced(text: str) -> str:
    """Every run of white space one space, none at the ends: `_SPACES.sub(" ", text).strip()`, in
    a third of its time (str.split and the regex's \\s mean the same characters; test_text checks
    every code point), for the clean and fold of every cell a bulk import reads."""
    return " ".join(text.split())


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean(value: str | None, *, label: str, max_len: int = MAX_LINE, multiline: bool = False,
          required: bool = False) -> str | None:
    """Normalise one user-typed text: NFC, trimmed, no control characters, bounded length.

    Returns None for an empty optional value; raises ValidationError naming `label`.
    """
    if value is None:
        if required:
            raise ValidationError(f"{label} is required")
        return None
    text = nfc(value)
    if "\x00" in text:
        raise ValidationError(f"{label} contains a NUL character")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(text):
            raise ValidationError(f"{label} contains control characters")
        text = text.strip()
    else:
        if _CONTROL.search(text) or "\n" in text or "\t" in text:
            text = _SPACES.sub(" ", text)
            if _CONTROL.search(text):
                raise ValidationError(f"{label} contains control characters")
        text = _single_spaced(text)
    if not text:
        if required:
            raise ValidationError(f"{label} is required")
        return None
    if len(text) > max_len:
        raise ValidationError(f"{label} is too long ({len(text)} characters, at most {max_len})")
    return text


class _WithoutMarks(dict):  # type: ignore[type-arg]
    """A str.translate table that deletes non-spacing marks (category Mn) and keeps every other
    character; filled in as characters are met, so folding runs at C speed (a bulk import folds
    every name, address and content)."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.category(chr(code)) in _COMBINING_CLASS_MARKS else code
        if code < 0x3000:  # cache the scripts a register meets; the table stays small whatever is typed
            self[code] = value
        return value


_NO_MARKS = _WithoutMarks()


def fold(value: str | None) -> str:
    """The search key of a text: lower case, no diacritics, đ→d, single spaces."""
    if not value:
        return ""
    if value.isascii():  # nothing to normalise or strip
        return _single_spaced(value.casefold())
    text = unicodedata.normalize("NFC", value).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text).translate(_NO_MARKS)
    return _single_spaced(text.casefold())


def initials(name: str | None) -> str:
    """Mask a person's name to initials: `Nguyễn Văn Đức` → `N. V. Đ.`."""
    if not name:
        return ""
    return " ".join(part[0] + "." for part in name.split() if part)


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds the folded `term` anywhere, with LIKE's wildcards escaped."""
    folded = fold(term)
    if len(folded) > MAX_LINE:  # SQLite refuses LIKE patterns over 50,000 bytes ("pattern too complex")
        raise ValidationError(f"the search text is too long ({len(folded)} characters, at most {MAX_LINE})")
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
