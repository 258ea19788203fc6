"""The register's controlled vocabularies, with the Vietnamese words officers also type.

Stored values are always the English keys; input is matched after folding (no accents,
any case, spaces or underscores as dashes), so `Khiếu nại`, `khieu-nai` and `complaint` agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from tct.errors import ValidationError
from tct.i18n import value_label
from tct.text import fold

VISIT_TYPES: dict[str, tuple[str, ...]] = {
    "complaint": ("khieu-nai",),
    "denunciation": ("to-cao",),
    "petition": ("kien-nghi",),
    "feedback": ("phan-anh",),
}
HANDLINGS: dict[str, tuple[str, ...]] = {
    "accepted": ("thu-ly", "tiep-nhan", "tiep-nhan-don"),
    "guided": ("huong-dan",),
    "transferred": ("chuyen-don", "chuyen"),
    "answered": ("tra-loi", "tra-loi-truc-tiep"),
    "refused": ("tu-choi", "tu-choi-tiep"),
}
RECEPTION_KINDS: dict[str, tuple[str, ...]] = {
    "regular": ("thuong-xuyen", "tiep-thuong-xuyen"),
    "leader": ("lanh-dao", "thu-truong", "dinh-ky", "dot-xuat", "lanh-dao-tiep", "thu-truong-tiep", "tiep-dinh-ky",
               "tiep-dot-xuat"),
}
SHIFTS: dict[str, tuple[str, ...]] = {
    "morning": ("sang", "ca-sang", "buoi-sang"),
    "afternoon": ("chieu", "ca-chieu", "buoi-chieu"),
    "full": ("ca-ngay", "ngay", "buoi-ngay"),
    "custom": ("theo-gio", "tuy-chinh"),
}
ROLES: dict[str, tuple[str, ...]] = {
    "main": ("chinh", "truc-chinh"),
    "backup": ("du-bi", "du-phong", "truc-du-bi", "truc-du-phong"),
    "leader": ("lanh-dao", "truc-lanh-dao"),
}
# Vietnamese names of the default fields, accepted as input.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "land": ("dat-dai", "dat"),
    "housing": ("nha-o", "nha"),
    "policy": ("chinh-sach", "che-do-chinh-sach"),
    "administration": ("hanh-chinh",),
    "justice": ("tu-phap",),
    "press-media": ("bao-chi", "bao-chi-truyen-thong"),
    "telecom-it": ("vien-thong", "cntt", "vien-thong-cntt"),
    "other": ("khac",),
}


def _key(typed: str) -> str:
    return "-".join(fold(typed).replace("_", " ").replace("/", " ").split())


def choose(typed: str | None, vocabulary: dict[str, tuple[str, ...]] | Iterable[str], *, label: str,
           kind: str | None = None) -> str:
    """The stored key for a typed value, or a one-line error listing the choices. `kind`: the
    values' kind in i18n.VALUES, whose Vietnamese names are then taken too (`tái diễn` for
    `repeat`) and listed in a Vietnamese error, so the officer reads words that work."""
    choices = vocabulary if isinstance(vocabulary, dict) else {value: () for value in vocabulary}
    if kind is not None:
        choices = {value: (*aliases, _key(value_label(kind, value, "vi"))) for value, aliases in choices.items()}
    found = lookup(typed, choices)
    if found is None:
        if kind is None:
            raise ValidationError.said_as("err_not_one_of", label=label, typed=typed, choices=", ".join(choices))
        raise ValidationError.said_as("err_not_one_of", coded={"choices": f"list:{kind}"}, label=label, typed=typed,
                                      choices=list(choices))
    return found


def lookup(typed: str | None, vocabulary: dict[str, tuple[str, ...]]) -> str | None:
    """The stored key for a typed value (its English key or a Vietnamese word), or None."""
    return _lookup(typed or "", tuple((value, tuple(aliases)) for value, aliases in vocabulary.items()))


@lru_cache(maxsize=4096)
def _lookup(typed: str, choices: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    key = _key(typed)
    for value, aliases in choices:
        if key == _key(value) or key in aliases or key in FIELD_ALIASES.get(value, ()):
            return value
    return None
