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
# Format characters (zero-width spaces and joiners, the BOM, the soft hyphen, direction marks…) are
# invisible: a name of them alone looks blank, and one with them inside looks like another name it
# does not equal. Search keys have none of them; stored text keeps only the direction marks, isolates
# and overrides of right-to-left text (stored verbatim, as "Data safety" in the README promises), and
# a value of nothing else is empty.
_FORMAT = ("Cf",)
_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# C0/C1 control characters other than tab and newline are never legitimate in a register.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Field lengths: generous for real use, bounded so a pasted 100 KB blob is refused.
MAX_NAME = 200
MAX_LINE = 500
MAX_TEXT = 10_000
# The most characters fold() makes of one (a Hangul syllable's three jamo, "ﬃ" casefolded to "ffi";
# test_text checks every code point): a text within a field's length whose search key is not can be
# no shorter than a third of it.
MOST_FOLD_GROWTH = 3


def _single_spaced(text: str) -> str:
    """Every run of white space one space, none at the ends: `_SPACES.sub(" ", text).strip()`, in
    a third of its time (str.split and the regex's \\s mean the same characters; test_text checks
    every code point), for the clean and fold of every cell a bulk import reads."""
    return " ".join(text.split())


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean(value: str | None, *, label: str, max_len: int = MAX_LINE, multiline: bool = False,
          required: bool = False) -> str | None:
    """Normalise one user-typed text: NFC, trimmed, no control characters, no invisible format
    characters but direction marks (_FORMAT), bounded length.

    Returns None for an empty optional value, or one of invisible characters only; raises
    ValidationError naming `label`.
    """
    if value is None:
        if required:
            raise ValidationError.said_as("err_required", label=label)
        return None
    formatted = _may_hold_format(value)
    text = nfc(value.translate(_NO_FORMAT) if formatted else value)
    if "\x00" in text:
        raise ValidationError.said_as("err_nul_character", label=label)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL.search(text):
            raise ValidationError.said_as("err_control_characters", label=label)
        text = text.strip()
    else:
        if _CONTROL.search(text) or "\n" in text or "\t" in text:
            text = _SPACES.sub(" ", text)
            if _CONTROL.search(text):
                raise ValidationError.said_as("err_control_characters", label=label)
        text = _single_spaced(text)
    if not text or formatted and all(ch in _DIRECTION or ch.isspace() for ch in text):
        if required:
            raise ValidationError.said_as("err_required", label=label)
        return None
    if len(text) > max_len:
        raise ValidationError.said_as("err_too_long", label=label, length=len(text), most=max_len)
    if len(text) * MOST_FOLD_GROWTH > max_len and not text.isascii():
        # Its search key is held to the same length (name_folded, address_folded…): one longer
        # would be cut off or refused by PostgreSQL, and refused by `tct import` of the export.
        folded = len(fold(text))
        if folded > max_len:
            raise ValidationError.said_as("err_too_long_folded", label=label, length=folded, most=max_len)
    return text


def _may_hold_format(value: str) -> bool:
    """Whether a text may hold a format character, at C speed: str.isprintable is false for them,
    and for line breaks and tabs, which are taken out first (removing the format characters
    themselves costs ten times more, a bulk import cleans every cell)."""
    return not value.isprintable() and not value.replace("\n", "").replace("\r", "").replace("\t", "").isprintable()


class _Without(dict):  # type: ignore[type-arg]
    """A str.translate table that deletes the characters of some Unicode categories and keeps every
    other character; filled in as characters are met, so cleaning and folding run at C speed (a
    bulk import folds every name, address and content)."""

    def __init__(self, *categories: str, keep: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.categories = categories
        self.keep = keep

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        value = None if unicodedata.category(char) in self.categories and char not in self.keep else code
        if code < 0x3000:  # cache the scripts a register meets; the table stays small whatever is typed
            self[code] = value
        return value


_NO_FORMAT = _Without(*_FORMAT, keep=_DIRECTION)
_NO_MARKS = _Without(*_COMBINING_CLASS_MARKS, *_FORMAT)  # a search key agrees with what clean stores
# The letters a search key writes as d: đ and Đ, and their look-alikes ð and Ð (U+00F0, U+00D0), which
# text converted from the old VNI and TCVN3 encodings, or pasted from a PDF, holds in Vietnamese names:
# none decomposes, so each is mapped whole (migration 0014 rewrote the keys written with ð).
D_LIKE = "đĐðÐ"
_NO_MARKS.update({ord(letter): ord("d") for letter in D_LIKE})


def fold(value: str | None) -> str:
    """The search key of a text: lower case, no diacritics or format characters, đ→d (D_LIKE), single spaces."""
    if not value:
        return ""
    if value.isascii():  # nothing to normalise or strip
        return _single_spaced(value.casefold())
    return _single_spaced(unicodedata.normalize("NFD", value).translate(_NO_MARKS).casefold())


def initials(name: str | None) -> str:
    """Mask a person's name to initials: `Nguyễn Văn Đức` → `N. V. Đ.`."""
    if not name:
        return ""
    return " ".join(part[0] + "." for part in name.split() if part)


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds the folded `term` anywhere, with LIKE's wildcards escaped."""
    folded = fold(term)
    if len(folded) > MAX_LINE:  # SQLite refuses LIKE patterns over 50,000 bytes ("pattern too complex")
        raise ValidationError.said_as("err_search_too_long", length=len(folded), most=MAX_LINE)
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
