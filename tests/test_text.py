import unicodedata

import pytest

from tct.errors import ValidationError
from tct.text import clean, fold, initials, like_pattern


def test_nfd_input_is_stored_as_nfc():
    typed = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert typed != "Nguyễn Văn Đức"
    assert clean(typed, label="name") == "Nguyễn Văn Đức"


def test_fold_removes_case_accents_and_d_stroke():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold(unicodedata.normalize("NFD", "ĐƯỜNG Trần   Hưng Đạo")) == "duong tran hung dao"


def test_clean_collapses_spaces_and_drops_empty_optional_values():
    assert clean("  Trần  Thị\tBình ", label="name") == "Trần Thị Bình"
    assert clean("   ", label="address") is None


def test_spaces_are_collapsed_as_the_regex_would_for_every_character():
    """text._single_spaced stands for `\\s+` -> " " then strip(): both must mean the same white space."""
    import re
    import sys

    from tct.text import _single_spaced

    every = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    sample = "".join(f" a{char}{char}b{char}" for char in every)
    assert _single_spaced(sample) == re.sub(r"\s+", " ", sample).strip()


def test_no_character_folds_to_more_than_most_fold_growth():
    """clean() folds only the texts long enough to outgrow their field once folded (MOST_FOLD_GROWTH)."""
    import sys

    from tct.text import MOST_FOLD_GROWTH

    every = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    assert max(len(fold(f"a{char}a")) - 2 for char in every) == MOST_FOLD_GROWTH


def test_a_text_whose_search_key_is_longer_than_its_field_is_refused():
    assert clean("Nguyễn " + "ß" * 96, label="name", max_len=200) == "Nguyễn " + "ß" * 96  # (7 + 192)
    with pytest.raises(ValidationError, match="name is too long for its search key .201 characters"):
        clean("Nguyễn " + "ß" * 97, label="name", max_len=200)
    assert clean("ß" * 100 + "x" * 100, label="name", max_len=300)


@pytest.mark.parametrize("bad", ["abc\x00def", "x" * 201])
def test_clean_refuses_nul_and_oversized_text(bad):
    with pytest.raises(ValidationError):
        clean(bad, label="name", max_len=200)


def test_required_value_missing():
    with pytest.raises(ValidationError, match="name is required"):
        clean("  ", label="name", required=True)


def test_multiline_keeps_newlines():
    assert clean("dòng 1\r\ndòng 2", label="content", multiline=True) == "dòng 1\ndòng 2"


def test_initials_mask_a_name():
    assert initials("Nguyễn Văn Đức") == "N. V. Đ."


def test_like_pattern_escapes_wildcards():
    assert like_pattern("50%_Đức") == "%50\\%\\_duc%"
