"""What each record type of the import looks like, and how one row is checked.

A row arrives as a ``dict`` (from JSON Lines, values may be strings, numbers,
booleans, lists; from CSV, every value is a string). ``RecordSpec.parse`` turns
it into the database columns of its model, or raises ``FieldInvalid`` naming the
field and the reason. Everything here is pure Python: references to other
records (a contract's customer, an invoice's contract) are only named here and
resolved against the database by the import, batch by batch.
"""

import datetime
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db import models
from django.utils.translation import gettext as _

from billfold.servicing import models as sm
from billfold.servicing.normalize import EmailSplit, indexable_emails, postal_code

CENT = Decimal("0.01")
MONEY_LIMIT = Decimal("1000000000000")  # 14 digits, 2 of them decimals
_PLAIN_AMOUNT = re.compile(r"^\d{1,12}(?:\.\d{1,2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
POSTAL_LENGTH = {"US": 5, "CA": 6}


class FieldInvalid(Exception):
    """One field of one row cannot be accepted."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


class Allocation(NamedTuple):
    invoice: str
    amount: Decimal


class ParsedRow(NamedTuple):
    """A checked row: its natural key, the referenced key and its columns."""

    line: int
    key: str
    ref: str | None
    values: dict[str, Any]
    emails: EmailSplit | None
    allocations: list[Allocation] | None
    raw: Mapping[str, Any]
    # Fingerprint of the file line the row was read from (see ``fast``).
    digest: bytes | None = None


# -- value parsers -----------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(name: str, value: Any, *, max_length: int) -> str:
    if _blank(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise FieldInvalid(name, _("must be text"))
    result = str(value).strip()
    if len(result) > max_length:
        raise FieldInvalid(
            name,
            _("must be at most %(max)d characters long") % {"max": max_length},
        )
    return result


def money(name: str, value: Any) -> Decimal:
    if value.__class__ is str and _PLAIN_AMOUNT.match(value):
        return Decimal(value).quantize(CENT)
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal | float):
        raise FieldInvalid(name, _("must be an amount such as 12.50"))
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise FieldInvalid(name, _("must be an amount such as 12.50")) from None
    if not amount.is_finite():
        raise FieldInvalid(name, _("must be an amount such as 12.50"))
    if amount < 0:
        raise FieldInvalid(name, _("must not be negative"))
    if amount != amount.quantize(CENT):
        raise FieldInvalid(name, _("must have at most 2 decimal places"))
    if amount >= MONEY_LIMIT:
        raise FieldInvalid(name, _("is too large"))
    return amount.quantize(CENT)


@functools.lru_cache(maxsize=4096)
def _iso_date(value: str) -> datetime.date:
    # Billing files repeat the same few hundred dates over and over.
    return datetime.date.fromisoformat(value)


def date(name: str, value: Any) -> datetime.date:
    if value.__class__ is str and len(value) == 10 and value[4] == "-" == value[7]:
        try:
            return _iso_date(value)
        except ValueError:
            pass
    elif isinstance(value, str) and _DATE.match(value.strip()):
        return date(name, value.strip())
    raise FieldInvalid(name, _("must be a date written YYYY-MM-DD"))


def aware_datetime(name: str, value: Any) -> datetime.datetime:
    message = _(
        "must be a date and time with a UTC offset, such as 2026-12-01T09:00:00-05:00"
    )
    if not isinstance(value, str):
        raise FieldInvalid(name, message)
    try:
        moment = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldInvalid(name, message) from None
    if moment.tzinfo is None:
        raise FieldInvalid(name, message)
    return moment.astimezone(datetime.UTC)


def boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise FieldInvalid(name, _("must be true or false"))


def choice(name: str, value: Any, choices: type[models.TextChoices]) -> str:
    if value.__class__ is str:
        word = value.strip().lower()
        if word in _values_of(choices):
            return word
    raise FieldInvalid(
        name, _("must be one of: %(choices)s") % {"choices": ", ".join(choices.values)}
    )


# -- rows --------------------------------------------------------------------


@functools.cache
def _max_length(model: type[models.Model], column: str) -> int:
    return getattr(model._meta.get_field(column), "max_length", None) or 0


@functools.cache
def _values_of(choices: type[models.TextChoices]) -> frozenset[str]:
    return frozenset(choices.values)


class Row:
    """Access to one raw row that knows which fields exist and which are required."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any], allowed: frozenset[str]) -> None:
        if not allowed.issuperset(raw):
            if None in raw:  # surplus CSV values are kept under None
                raise FieldInvalid("", _("has more values than the header has columns"))
            unknown = sorted(str(name) for name in raw if name not in allowed)[0]
            raise FieldInvalid(unknown, _("is not a field of this record type"))
        self.raw = raw

    def get(self, name: str) -> Any:
        """The field's value; missing, null and blank all mean "not given" (None)."""
        value = self.raw.get(name)
        if value.__class__ is str and (not value or value.isspace()):
            return None
        return value

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def required(self, name: str) -> Any:
        value = self.get(name)
        if value is None:
            raise FieldInvalid(name, _("is required"))
        return value

    def text(
        self, name: str, model: type[models.Model], column: str, *, required=False
    ):
        value = self.required(name) if required else self.get(name)
        if value is None:
            return ""
        if value.__class__ is str:
            value = value.strip()
            if len(value) <= _max_length(model, column):
                return value
        return text(name, value, max_length=_max_length(model, column))


@dataclass(frozen=True)
class RecordSpec:
    """One record type: its file fields, model, natural key and reference."""

    record_type: str
    fields: tuple[str, ...]
    model: type[models.Model]
    key_field: str
    key_column: str
    columns: tuple[str, ...]  # written and compared, besides biller, key, timestamps
    parse_values: Callable[[Row, Any], dict[str, Any]]
    ref_field: str | None = None
    ref_model: type[models.Model] | None = None
    ref_column: str | None = None
    email_field: str | None = None
    email_source: str | None = None
    # Rows of this type carry the fingerprint of the line they were imported
    # from (``import_digest``), and a re-run does not check a line whose
    # fingerprint is the stored one. Only for types whose checks have no effect
    # beyond the row itself (no email warnings, no allocations).
    fast: bool = False
    allowed: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", frozenset(self.fields))

    def model_field(self, file_field: str) -> str:
        """The model field that a file field is stored in."""
        if file_field == self.key_field:
            return self.key_column
        if file_field == self.ref_field and self.ref_column:
            return self.ref_column.removesuffix("_id")
        plain = [f for f in self.fields if f not in (self.key_field, self.ref_field)]
        columns = [c for c in self.columns if c != self.ref_column]
        return dict(zip(plain, columns, strict=False)).get(file_field, file_field)

    def row_of(self, obj: models.Model) -> dict[str, Any]:
        """The import row that writes ``obj`` as it stands (an admin edit)."""
        row: dict[str, Any] = {self.key_field: getattr(obj, self.key_column)}
        if self.ref_field and self.ref_model is not None:
            referenced = getattr(obj, self.model_field(self.ref_field))
            ref_key = next(
                s.key_column for s in SPECS.values() if s.model is self.ref_model
            )
            row[self.ref_field] = getattr(referenced, ref_key)
        for file_field in self.fields:
            if file_field in row or file_field == "allocations":
                continue
            row[file_field] = _file_value(getattr(obj, self.model_field(file_field)))
        return row

    def parse(
        self, line: int, raw: Mapping[str, Any], biller, digest: bytes | None = None
    ) -> ParsedRow:
        row = Row(raw, self.allowed)
        key = row.text(self.key_field, self.model, self.key_column, required=True)
        ref = None
        if self.ref_field:
            value = row.required(self.ref_field)
            if value.__class__ is str and len(value) <= 64:
                ref = value.strip()
            else:
                ref = text(self.ref_field, value, max_length=64)
        values = self.parse_values(row, biller)
        emails = None
        if self.email_field:
            emails = indexable_emails(values[self.email_field], biller.placeholder_set)
        allocations = values.pop("_allocations", None)
        return ParsedRow(line, key, ref, values, emails, allocations, raw, digest)


def _file_value(value: Any) -> Any:
    """A model value as a file would carry it."""
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal | str):
        return str(value)  # also a choice member as its plain value
    return value


def _customer_values(row: Row, biller) -> dict[str, Any]:
    return {
        "name": row.text("name", sm.Customer, "name", required=True),
        "email_raw": row.text("email", sm.Customer, "email_raw"),
        "phone": row.text("phone", sm.Customer, "phone"),
    }


def _contact_values(row: Row, biller) -> dict[str, Any]:
    return {
        "name": row.text("name", sm.Contact, "name"),
        "email_raw": row.text("email", sm.Contact, "email_raw"),
        "phone": row.text("phone", sm.Contact, "phone"),
    }


def _contract_values(row: Row, biller) -> dict[str, Any]:
    status: str = sm.ContractStatus.PENDING
    if row.has("status"):
        status = choice("status", row.get("status"), sm.ContractStatus)
    approved = row.has("in_service_approved") and boolean(
        "in_service_approved", row.get("in_service_approved")
    )
    in_service_date = None
    if row.has("in_service_date"):
        in_service_date = date("in_service_date", row.get("in_service_date"))
    elif approved:
        raise FieldInvalid(
            "in_service_date", _("is required when in_service_approved is true")
        )
    country = biller.country
    if row.has("billing_country"):
        country = str(row.get("billing_country")).strip().upper()
        if country not in POSTAL_LENGTH:
            raise FieldInvalid("billing_country", _("must be US or CA"))
    code = row.text("billing_postal_code", sm.Contract, "billing_postal_code")
    if code and len(postal_code(code, country)) != POSTAL_LENGTH[country]:
        raise FieldInvalid(
            "billing_postal_code",
            _("is not a postal code of %(country)s") % {"country": country},
        )
    return {
        "status": status,
        "in_service_approved": approved,
        "in_service_date": in_service_date,
        "billing_address": row.text("billing_address", sm.Contract, "billing_address"),
        "billing_country": country,
        "billing_postal_code": code,
        "bill_to_name": row.text("bill_to_name", sm.Contract, "bill_to_name"),
        "bill_to_email_raw": row.text(
            "bill_to_email", sm.Contract, "bill_to_email_raw"
        ),
        "paperless": row.has("paperless")
        and boolean("paperless", row.get("paperless")),
    }


def _invoice_lines(value: Any) -> list[dict[str, str]]:
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_float=Decimal)
        except ValueError:
            raise FieldInvalid("lines", _("must be a JSON list of lines")) from None
    if not isinstance(value, list):
        raise FieldInvalid("lines", _("must be a JSON list of lines"))
    lines = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) - {
            "description",
            "quantity",
            "unit_price",
            "amount",
        }:
            raise FieldInvalid(
                "lines",
                _("line %(n)d must have description, quantity, unit_price, amount")
                % {"n": number},
            )
        description = text("lines", item.get("description"), max_length=500)
        try:
            quantity = Decimal(str(item.get("quantity", "1")).strip())
        except InvalidOperation:
            quantity = Decimal("NaN")
        if not quantity.is_finite():
            raise FieldInvalid(
                "lines", _("line %(n)d: quantity must be a number") % {"n": number}
            )
        unit_price = money("lines", item.get("unit_price", item.get("amount")))
        amount = money("lines", item.get("amount"))
        lines.append(
            {
                "description": description,
                "quantity": str(quantity.normalize()),
                "unit_price": str(unit_price),
                "amount": str(amount),
            }
        )
    return lines


def _invoice_values(row: Row, biller) -> dict[str, Any]:
    issue_date = date("issue_date", row.required("issue_date"))
    due_date = date("due_date", row.required("due_date"))
    if due_date < issue_date:
        raise FieldInvalid(
            "due_date",
            _("must not be before issue_date (%(date)s)")
            % {"date": issue_date.isoformat()},
        )
    amount = money("amount", row.required("amount"))
    value = row.get("open_balance")
    open_balance = amount if value is None else money("open_balance", value)
    value = row.get("delivery_status")
    status = (
        sm.DeliveryStatus.UNSENT
        if value is None
        else choice("delivery_status", value, sm.DeliveryStatus)
    )
    value = row.get("lines")
    return {
        "issue_date": issue_date,
        "due_date": due_date,
        "amount": amount,
        "open_balance": open_balance,
        "delivery_status": status,
        "lines": [] if value is None else _invoice_lines(value),
    }


def _allocations(value: Any) -> list[Allocation]:
    message = _('must be a list of {"invoice", "amount"} or INV1:10.00;INV2:5.00')
    items: list[tuple[Any, Any]] = []
    if isinstance(value, str):
        for part in value.split(";"):
            if not part.strip():
                continue
            invoice, sep, amount = part.rpartition(":")
            if not sep or not invoice.strip():
                raise FieldInvalid("allocations", message)
            items.append((invoice.strip(), amount))
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, dict) or set(item) != {"invoice", "amount"}:
                raise FieldInvalid("allocations", message)
            items.append((item["invoice"], item["amount"]))
    else:
        raise FieldInvalid("allocations", message)
    result: list[Allocation] = []
    seen: set[str] = set()
    for invoice, amount in items:
        number = text("allocations", invoice, max_length=40)
        if not number:
            raise FieldInvalid("allocations", message)
        if number in seen:
            raise FieldInvalid(
                "allocations",
                _("names invoice %(invoice)s twice") % {"invoice": number},
            )
        seen.add(number)
        value = money("allocations", amount)
        if value == 0:
            raise FieldInvalid("allocations", _("amounts must be more than zero"))
        result.append(Allocation(number, value))
    return result


def _payment_values(row: Row, biller) -> dict[str, Any]:
    amount = money("amount", row.required("amount"))
    if amount == 0:
        raise FieldInvalid("amount", _("must be more than zero"))
    values: dict[str, Any] = {
        "received_on": date("received_on", row.required("received_on")),
        "amount": amount,
        "method": row.text("method", sm.Payment, "method"),
    }
    if "allocations" in row.raw and row.raw["allocations"] is not None:
        allocations = (
            []
            if _blank(row.raw["allocations"])
            else _allocations(row.raw["allocations"])
        )
        total = sum((a.amount for a in allocations), Decimal("0.00"))
        if total > amount:
            raise FieldInvalid(
                "allocations",
                _("add up to %(total)s, more than the payment amount %(amount)s")
                % {"total": total, "amount": amount},
            )
        values["_allocations"] = allocations
    return values


def _credit_values(row: Row, biller) -> dict[str, Any]:
    amount = money("amount", row.required("amount"))
    if amount == 0:
        raise FieldInvalid("amount", _("must be more than zero"))
    open_amount = amount
    if row.has("open_amount"):
        open_amount = money("open_amount", row.get("open_amount"))
        if open_amount > amount:
            raise FieldInvalid(
                "open_amount",
                _("must not be more than amount (%(amount)s)") % {"amount": amount},
            )
    return {
        "issued_on": date("issued_on", row.required("issued_on")),
        "amount": amount,
        "open_amount": open_amount,
        "reason": row.text("reason", sm.Credit, "reason"),
    }


def _visit_values(row: Row, biller) -> dict[str, Any]:
    status: str = sm.VisitStatus.SCHEDULED
    if row.has("status"):
        status = choice("status", row.get("status"), sm.VisitStatus)
    return {
        "scheduled_for": aware_datetime("scheduled_for", row.required("scheduled_for")),
        "status": status,
        "service": row.text("service", sm.ServiceVisit, "service", required=True),
        "notes": row.text("notes", sm.ServiceVisit, "notes"),
    }


SPECS: dict[str, RecordSpec] = {
    spec.record_type: spec
    for spec in (
        RecordSpec(
            "customers",
            ("number", "name", "email", "phone"),
            sm.Customer,
            "number",
            "number",
            ("name", "email_raw", "phone"),
            _customer_values,
            email_field="email_raw",
            email_source=sm.EmailSource.CUSTOMER,
        ),
        RecordSpec(
            "contacts",
            ("id", "customer", "name", "email", "phone"),
            sm.Contact,
            "id",
            "external_id",
            ("customer_id", "name", "email_raw", "phone"),
            _contact_values,
            ref_field="customer",
            ref_model=sm.Customer,
            ref_column="customer_id",
            email_field="email_raw",
            email_source=sm.EmailSource.CONTACT,
        ),
        RecordSpec(
            "contracts",
            (
                "number",
                "customer",
                "status",
                "in_service_approved",
                "in_service_date",
                "billing_address",
                "billing_country",
                "billing_postal_code",
                "bill_to_name",
                "bill_to_email",
                "paperless",
            ),
            sm.Contract,
            "number",
            "number",
            (
                "customer_id",
                "status",
                "in_service_approved",
                "in_service_date",
                "billing_address",
                "billing_country",
                "billing_postal_code",
                "bill_to_name",
                "bill_to_email_raw",
                "paperless",
            ),
            _contract_values,
            ref_field="customer",
            ref_model=sm.Customer,
            ref_column="customer_id",
            email_field="bill_to_email_raw",
            email_source=sm.EmailSource.BILL_TO,
        ),
        RecordSpec(
            "invoices",
            (
                "number",
                "contract",
                "issue_date",
                "due_date",
                "amount",
                "open_balance",
                "delivery_status",
                "lines",
            ),
            sm.Invoice,
            "number",
            "number",
            (
                "contract_id",
                "issue_date",
                "due_date",
                "amount",
                "open_balance",
                "delivery_status",
                "lines",
            ),
            _invoice_values,
            ref_field="contract",
            ref_model=sm.Contract,
            ref_column="contract_id",
            fast=True,
        ),
        RecordSpec(
            "payments",
            ("reference", "contract", "received_on", "amount", "method", "allocations"),
            sm.Payment,
            "reference",
            "reference",
            ("contract_id", "received_on", "amount", "method"),
            _payment_values,
            ref_field="contract",
            ref_model=sm.Contract,
            ref_column="contract_id",
        ),
        RecordSpec(
            "credits",
            ("reference", "contract", "issued_on", "amount", "open_amount", "reason"),
            sm.Credit,
            "reference",
            "reference",
            ("contract_id", "issued_on", "amount", "open_amount", "reason"),
            _credit_values,
            ref_field="contract",
            ref_model=sm.Contract,
            ref_column="contract_id",
            fast=True,
        ),
        RecordSpec(
            "service-visits",
            ("reference", "contract", "scheduled_for", "status", "service", "notes"),
            sm.ServiceVisit,
            "reference",
            "reference",
            ("contract_id", "scheduled_for", "status", "service", "notes"),
            _visit_values,
            ref_field="contract",
            ref_model=sm.Contract,
            ref_column="contract_id",
            fast=True,
        ),
    )
}
