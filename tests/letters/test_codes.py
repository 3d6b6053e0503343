"""Verification codes: random (never counted), long enough not to be guessed, and read back from
what people type, while anything that cannot be a code is refused without a database query."""

from __future__ import annotations

import math

import pytest

from portal.letters.codes import ALPHABET, CODE_LENGTH, new_code, normalise_code

CANONICAL = "7KQ2-M8XD-4JNB-W0RT-HC9E"


def symbols(code: str) -> str:
    return code.replace("-", "")


def value(code: str) -> int:
    return int("".join(f"{ALPHABET.index(symbol):05b}" for symbol in symbols(code)), 2)


def test_a_code_holds_at_least_80_random_bits_by_construction():
    assert len(set(ALPHABET)) == 32 and "I" not in ALPHABET and "L" not in ALPHABET and "O" not in ALPHABET
    assert len(ALPHABET) ** CODE_LENGTH >= 2 ** 80
    assert math.log2(len(ALPHABET)) * CODE_LENGTH == 100


def test_codes_have_the_canonical_shape():
    for _ in range(200):
        code = new_code()
        assert len(code) == 24
        assert [len(group) for group in code.split("-")] == [4, 4, 4, 4, 4]
        assert set(symbols(code)) <= set(ALPHABET)
        assert normalise_code(code) == code


def test_a_thousand_codes_are_distinct_and_not_sequential():
    codes = [new_code() for _ in range(1000)]
    assert len(set(codes)) == 1000
    for previous, current in zip(codes, codes[1:], strict=False):
        assert previous[:9] != current[:9]  # no shared prefix, as counting or a timestamp would give
        assert abs(value(current) - value(previous)) > 2 ** 40  # not a step of a counter
    for position in range(CODE_LENGTH):  # every position takes (almost) every symbol
        assert len({symbols(code)[position] for code in codes}) >= 28


@pytest.mark.parametrize("typed", [
    CANONICAL,
    "7kq2-m8xd-4jnb-w0rt-hc9e",
    "7KQ2M8XD4JNBW0RTHC9E",
    " 7KQ2 M8XD 4JNB W0RT HC9E ",
    "7KQ2--M8XD-4JNB-W0RT-HC9E-",
    "7KQ2 – M8XD — 4JNB‐W0RT HC9E",  # dashes pasted from a document
    "7KQ2-M8XD-4JNB-WORT-HC9E",  # O read as zero
    "7kq2-m8xd-4jnb-wort-hc9e",
])
def test_what_people_type_is_read_back(typed):
    assert normalise_code(typed) == CANONICAL


def test_i_and_l_are_read_as_one():
    assert normalise_code("1111-2222-3333-4444-5555") == "1111-2222-3333-4444-5555"
    assert normalise_code("IiLl-2222-3333-4444-5555") == "1111-2222-3333-4444-5555"


@pytest.mark.parametrize("typed", [
    "",
    "   ",
    "7KQ2-M8XD-4JNB-W0RT-HC9",  # one symbol short
    "7KQ2-M8XD-4JNB-W0RT-HC9EE",  # one too many
    "7KQ2-M8XD-4JNB-W0RT-HC9U",  # U is not in Crockford's alphabet
    "7KQ2-M8XD-4JNB-W0RT-HC9!",
    "7KQ2/M8XD/4JNB/W0RT/HC9E",
    "https://example.edu/verify/7KQ2-M8XD-4JNB-W0RT-HC9E",
    "' OR 1=1 --",
    "7KQ2-M8XD-4JNB-W0RT-HC9É",
    "X" * 10_000,
])
def test_anything_else_is_not_a_code(typed):
    assert normalise_code(typed) is None
