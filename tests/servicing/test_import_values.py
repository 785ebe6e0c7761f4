"""Property tests for the value parsers of the import."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billfold.servicing.importing_records import FieldInvalid, date, money

cents = st.integers(min_value=0, max_value=10**14 - 1)


@given(cents)
def test_amount_with_two_places_round_trips_exactly(value):
    amount = Decimal(value).scaleb(-2)
    assert money("amount", str(amount)) == amount
    assert money("amount", format(amount, "f")) == amount


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_whole_numbers_become_amounts_with_two_places(value):
    assert str(money("amount", value)) == f"{value}.00"


@given(cents, st.integers(min_value=1, max_value=9))
def test_a_third_decimal_place_is_refused(value, digit):
    text = f"{Decimal(value).scaleb(-2)}{digit}"
    with pytest.raises(FieldInvalid) as caught:
        money("amount", text)
    assert caught.value.reason == "must have at most 2 decimal places"


@given(st.integers(min_value=1, max_value=10**12))
def test_negative_amounts_are_refused(value):
    with pytest.raises(FieldInvalid) as caught:
        money("amount", f"-{value}.00")
    assert caught.value.reason == "must not be negative"


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "1e3x", "", "12,50"])
def test_non_numbers_are_refused(text):
    with pytest.raises(FieldInvalid):
        money("amount", text)


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(9999, 12, 31))
)
def test_iso_dates_round_trip(value):
    assert date("issue_date", value.isoformat()) == value


@pytest.mark.parametrize(
    "text", ["2026-02-30", "20261001", "2026-W40-1", "01/10/2026", "2026-1-1"]
)
def test_other_date_forms_are_refused(text):
    with pytest.raises(FieldInvalid) as caught:
        date("issue_date", text)
    assert caught.value.reason == "must be a date written YYYY-MM-DD"
