"""Postal codes and raw email fields: exact examples and properties."""

import string

from hypothesis import example, given
from hypothesis import strategies as st

from billfold.servicing.normalize import (
    EmailSplit,
    indexable_emails,
    postal_code,
    split_emails,
)

COUNTRIES = st.sampled_from(["US", "CA", "us", "ca", "GB", "DE", "MX", ""])
PUNCTUATION = st.text(alphabet=" -.,/_\t#()", max_size=3)
ALNUM = string.ascii_letters + string.digits


@st.composite
def scrambled(draw, base: str) -> str:
    """``base`` with random case and random punctuation/spaces between characters."""
    out = [draw(PUNCTUATION)]
    for char in base:
        out.append(char.swapcase() if draw(st.booleans()) else char)
        out.append(draw(PUNCTUATION))
    return "".join(out)


@st.composite
def code_and_variants(draw) -> tuple[str, str, str]:
    base = draw(st.text(alphabet=ALNUM, max_size=12))
    return base, draw(scrambled(base)), draw(scrambled(base))


SIMPLE_ADDRESS = st.from_regex(
    r"[a-z0-9]{1,8}([._+-][a-z0-9]{1,5})?@[a-z0-9]{1,8}(-[a-z0-9]{1,4})?\.(com|org|net|ca)",
    fullmatch=True,
)
JUNK = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=15
)
SEPARATOR = st.sampled_from([",", ";", ", ", " ; ", ",,", ";\t", "\n,"])


@st.composite
def raw_field(draw, parts=None) -> str:
    """A raw email field: addresses and junk in random case, joined by separators."""
    if parts is None:
        parts = draw(st.lists(st.one_of(SIMPLE_ADDRESS, JUNK), max_size=6))
    out = [draw(st.sampled_from(["", " ", ",", ";"]))]
    for part in parts:
        out.append(draw(scrambled_case(part)))
        out.append(draw(SEPARATOR))
    return "".join(out)


@st.composite
def scrambled_case(draw, text: str) -> str:
    pad = st.sampled_from(["", " ", "  ", "\t"])
    flipped = "".join(
        c.upper() if c in string.ascii_lowercase and draw(st.booleans()) else c
        for c in text
    )
    return draw(pad) + flipped + draw(pad)


# --- postal codes ---------------------------------------------------------


def test_postal_code_examples():
    assert postal_code("94105-1234", "US") == "94105"
    assert postal_code(" 94105 ", "US") == "94105"
    assert postal_code("k1a 0b1", "CA") == "K1A0B1"
    assert postal_code("K1A-0B1", "ca") == "K1A0B1"
    assert postal_code("sw1a 1aa", "GB") == "SW1A1AA"
    assert postal_code("01-234", "PL") == "01234"
    assert postal_code("", "US") == ""
    assert postal_code("--", "CA") == ""


@given(value=st.text(max_size=30), country=COUNTRIES)
def test_postal_code_is_idempotent(value, country):
    once = postal_code(value, country)
    assert postal_code(once, country) == once


@given(value=st.text(max_size=30), country=COUNTRIES)
@example(value="ß½٣", country="US")
def test_postal_code_keeps_only_ascii_upper_letters_and_digits(value, country):
    allowed = set(string.ascii_uppercase + string.digits)
    assert set(postal_code(value, country)) <= allowed


@given(value=st.text(max_size=30))
def test_postal_code_caps_length_for_us_and_canada(value):
    assert len(postal_code(value, "US")) <= 5
    assert len(postal_code(value, "CA")) <= 6


@given(value=st.text(alphabet=ALNUM, max_size=20))
def test_postal_code_keeps_everything_for_other_countries(value):
    assert postal_code(value, "GB") == value.upper()


@given(codes=code_and_variants(), country=COUNTRIES)
@example(codes=("K1A0B1", "k1a 0b1", "K1A-0B1"), country="CA")
def test_postal_code_ignores_punctuation_spaces_and_case(codes, country):
    base, first, second = codes
    assert postal_code(first, country) == postal_code(second, country)
    assert postal_code(first, country) == postal_code(base, country)


# --- split_emails ----------------------------------------------------------


def test_split_emails_examples():
    assert split_emails("a@x.com; B@Y.com ,,") == EmailSplit(
        valid=["a@x.com", "b@y.com"], invalid=[]
    )
    assert split_emails("not-an-email, ok@x.com") == EmailSplit(
        valid=["ok@x.com"], invalid=["not-an-email"]
    )


def test_split_emails_drops_duplicates_keeping_first_order():
    assert split_emails("B@y.com;a@x.com, b@Y.COM ; A@X.com") == EmailSplit(
        valid=["b@y.com", "a@x.com"], invalid=[]
    )


def test_split_emails_keeps_invalid_parts_trimmed_as_given():
    assert split_emails(" Jane Doe ;jane@@x.com,  NONE ,none") == EmailSplit(
        valid=[], invalid=["Jane Doe", "jane@@x.com", "NONE"]
    )


def test_split_emails_of_empty_field_is_empty():
    assert split_emails("") == EmailSplit(valid=[], invalid=[])
    assert split_emails(" ,; ;, ") == EmailSplit(valid=[], invalid=[])


@given(raw=raw_field())
def test_split_emails_output_is_clean(raw):
    result = split_emails(raw)
    for address in result.valid:
        assert address
        assert address == address.lower()
        assert not set(address) & set(",; \t\r\n")
    for part in result.invalid:
        assert part
        assert part == part.strip()
        assert "," not in part and ";" not in part
    keys = [p.lower() for p in result.valid + result.invalid]
    assert len(keys) == len(set(keys))


@given(raw=raw_field())
def test_split_emails_is_idempotent(raw):
    once = split_emails(raw)
    assert split_emails(", ".join(once.valid + once.invalid)) == once
    only_valid = split_emails(";".join(once.valid))
    assert only_valid == EmailSplit(valid=once.valid, invalid=[])


@given(raw=raw_field())
def test_every_valid_address_appears_in_the_input(raw):
    for address in split_emails(raw).valid:
        assert address in raw.lower()


@given(addresses=st.lists(SIMPLE_ADDRESS, min_size=1, max_size=5), data=st.data())
def test_plain_addresses_are_all_found_in_order_whatever_their_case(addresses, data):
    raw = data.draw(raw_field(parts=addresses))
    expected = list(dict.fromkeys(addresses))
    assert split_emails(raw) == EmailSplit(valid=expected, invalid=[])


# --- indexable_emails -----------------------------------------------------


def test_indexable_emails_drops_placeholders_whatever_their_case_and_spacing():
    placeholders = ["noemail@acme.com", " None@Acme.com "]
    raw = "NoEmail@ACME.com; jane@x.com,  none@acme.COM , oops"
    assert indexable_emails(raw, placeholders) == EmailSplit(
        valid=["jane@x.com"], invalid=["oops"]
    )


def test_indexable_emails_drops_invalid_placeholders_too():
    assert indexable_emails("N/A, a@x.com", ["n/a"]) == EmailSplit(
        valid=["a@x.com"], invalid=[]
    )


def test_indexable_emails_without_placeholders_equals_split():
    raw = "a@x.com; B@Y.com, nope"
    assert indexable_emails(raw, []) == split_emails(raw)


@given(
    kept=st.lists(SIMPLE_ADDRESS, max_size=4),
    placeholders=st.lists(st.one_of(SIMPLE_ADDRESS, JUNK), min_size=1, max_size=3),
    data=st.data(),
)
def test_placeholders_never_appear_in_indexable_output(kept, placeholders, data):
    parts = data.draw(st.permutations(kept + placeholders))
    raw = data.draw(raw_field(parts=parts))
    given_placeholders = [data.draw(scrambled_case(p)) for p in placeholders]
    result = indexable_emails(raw, given_placeholders)
    ignored = {p.strip().lower() for p in placeholders}
    assert not {a.lower() for a in result.valid + result.invalid} & ignored
    in_order = [p for p in parts if p in kept]
    expected = [a for a in dict.fromkeys(in_order) if a not in ignored]
    assert [a for a in result.valid if a in kept] == expected


@given(raw=raw_field(), placeholders=st.lists(SIMPLE_ADDRESS, max_size=3))
def test_indexable_emails_is_a_subset_of_split_and_idempotent(raw, placeholders):
    split = split_emails(raw)
    result = indexable_emails(raw, placeholders)
    assert set(result.valid) <= set(split.valid)
    assert set(result.invalid) <= set(split.invalid)
    again = indexable_emails(", ".join(result.valid + result.invalid), placeholders)
    assert again == result
