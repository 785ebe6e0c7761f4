"""Deterministic demo data: five billers, one per product document.

Every customer is generated from its own ``random.Random`` seeded with the run
seed, the biller slug and the customer's position, so the same arguments give
the same rows on every machine, and customer 7 is the same customer whether
the run makes 40 customers or 20,000. Dates are relative to ``today`` (the
biller's local date): a past-due invoice stays past due whichever day the demo
is loaded, and re-running on a later day moves the dates, never the numbers.

The first customers of every biller are scripted scenarios that cover each case
the enrollment, portal and support rules need (see ``SCENARIOS``); the rest are
random mixes of the same ingredients. Rows are yielded one at a time, in the
shape ``billfold.servicing.importing.import_rows`` takes.
"""

from __future__ import annotations

import datetime
import json
import random
import tempfile
import zoneinfo
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

RECORD_TYPES = (
    "customers",
    "contacts",
    "contracts",
    "invoices",
    "payments",
    "credits",
    "service-visits",
)

DEFAULT_CUSTOMERS = 40
DEFAULT_SEED = 2026

# Scripted customers, in this order, at the start of every biller. Position i
# gets SCENARIOS[i]; everyone after them is "random".
SCENARIOS = (
    "current",  # one booked, billed contract; latest invoice open, not yet due
    "past_due",  # a sent invoice past its due date, and a newer unsent one
    "not_in_service",  # booked but in-service date not approved: no invoice (E6)
    "multi_email",  # "a@…; b@…", a contact, a bill-to email on the contract
    "credit_over_balance",  # an open credit larger than the balance due
    "paid_up",  # every invoice paid, through payments with allocations
    "pending_and_terminated",  # one pending, one terminated contract
    "special",  # the biller's own case (placeholder email, odd postal code…)
)


@dataclass(frozen=True)
class BillerSpec:
    """One demo biller: its settings and the flavour of its billing records."""

    slug: str
    document: str
    summary: str
    settings: dict[str, Any]
    kind: str
    customer_prefix: str
    contract_prefix: str
    invoice_prefix: str
    area_codes: tuple[str, ...]
    places: tuple[tuple[str, str, str], ...]  # (city, region, postal-code stem)
    email_domains: tuple[str, ...]
    due_days: int
    amount_range: tuple[int, int]


SUMMIT = BillerSpec(
    slug="summit-leasing",
    document="000",
    summary=(
        "Equipment and home-energy leases. Registration with agreement number, "
        "invoice number and ZIP code; temporary password by email; three security "
        "questions; 8+ characters with 2 letters and 2 digits, last 24 refused."
    ),
    settings={
        "name": "Summit Equipment Leasing",
        "country": "US",
        "currency": "USD",
        "timezone": "America/Chicago",
        "languages": ["en"],
        "default_language": "en",
        "brand_color": "#1f4e79",
        "tagline": "Account Servicing Portal",
        "enrollment_methods": ["E1"],
        "password_min_length": 8,
        "password_max_length": 128,
        "password_min_letters": 2,
        "password_min_digits": 2,
        "password_history": 24,
        "security_question_count": 3,
        "temporary_password_hours": 72,
        "session_idle_minutes": 30,
        "session_absolute_hours": 12,
        "terms_version": "2026-01",
        "terms_text": (
            "Account Servicing Portal — Terms and Conditions\n\n"
            "1. The portal shows the agreements, invoices and payments that Summit "
            "Equipment Leasing holds for you. Your lease agreement governs; the "
            "portal does not change it.\n"
            "2. Keep your username and password to yourself. Tell us at once if you "
            "think someone else has used them.\n"
            "3. Payments made in the portal are applied on the business day they "
            "are received.\n"
            "4. We may update these terms; we will ask you to accept a new version "
            "the next time you sign in."
        ),
        "contact_email": "accountservicing@summit-leasing.example.com",
        "support_phone": "1-800-555-0142",
        "support_hours": "Monday to Friday, 7 a.m. to 7 p.m. Central",
        "placeholder_emails": [],
        "require_address_of_record": True,
    },
    kind="leasing",
    customer_prefix="SL",
    contract_prefix="AG",
    invoice_prefix="7",
    area_codes=("612", "651", "763", "952"),
    places=(
        ("Minneapolis", "MN", "554"),
        ("St. Paul", "MN", "551"),
        ("Bloomington", "MN", "554"),
        ("Rochester", "MN", "559"),
        ("Duluth", "MN", "558"),
    ),
    email_domains=("example.com", "example.net", "example.org"),
    due_days=30,
    amount_range=(180, 2400),
)

MAPLE = BillerSpec(
    slug="maple-lease",
    document="001",
    summary=(
        "Canadian lessor. Self-enrollment with email, billing postal code and "
        "contract id, matched against customers, contacts and bill-to emails; "
        "NIST-style passwords (15+), no security questions."
    ),
    settings={
        "name": "Maple Lease Financial",
        "country": "CA",
        "currency": "CAD",
        "timezone": "America/Toronto",
        "languages": ["en"],
        "default_language": "en",
        "brand_color": "#a4161a",
        "tagline": "Customer Portal",
        "enrollment_methods": ["E2"],
        "password_min_length": 15,
        "password_max_length": 128,
        "password_min_letters": 0,
        "password_min_digits": 0,
        "password_history": 0,
        "security_question_count": 0,
        "temporary_password_hours": 72,
        "session_idle_minutes": 30,
        "session_absolute_hours": 12,
        "terms_version": "3",
        "terms_text": (
            "Customer Portal — Terms of Use\n\n"
            "Access is granted to the contracts of the customer whose records match "
            "the details you enter. Amounts are in Canadian dollars."
        ),
        "contact_email": "portal@maple-lease.example.com",
        "support_phone": "1-888-555-0117",
        "support_hours": "Monday to Friday, 8:30 a.m. to 5 p.m. Eastern",
        "placeholder_emails": [],
        "require_address_of_record": True,
    },
    kind="lessor_ca",
    customer_prefix="ML",
    contract_prefix="C",
    invoice_prefix="5",
    area_codes=("416", "613", "514", "403", "604"),
    places=(
        ("Toronto", "ON", "M"),
        ("Ottawa", "ON", "K"),
        ("Montréal", "QC", "H"),
        ("Calgary", "AB", "T"),
        ("Vancouver", "BC", "V"),
    ),
    email_domains=("example.com", "example.net", "example.org"),
    due_days=30,
    amount_range=(220, 3100),
)

PRAIRIE = BillerSpec(
    slug="prairie-telco",
    document="002",
    summary=(
        "Telephone co-op. Portal access is set up by the billing office; customers "
        "without an email on file carry the placeholder address and have no web "
        "access; forgot-password with recovery code and security question."
    ),
    settings={
        "name": "Prairie Hills Telephone Cooperative",
        "country": "US",
        "currency": "USD",
        "timezone": "America/Chicago",
        "languages": ["en"],
        "default_language": "en",
        "brand_color": "#2d6a4f",
        "tagline": "Customer Billing Portal",
        "enrollment_methods": [],
        "password_min_length": 8,
        "password_max_length": 128,
        "password_min_letters": 2,
        "password_min_digits": 2,
        "password_history": 0,
        "security_question_count": 3,
        "temporary_password_hours": 72,
        "session_idle_minutes": 30,
        "session_absolute_hours": 12,
        "terms_version": "1",
        "terms_text": (
            "Customer Billing Portal\n\n"
            "Portal access is set up by the Billing Office. Keep your password "
            "private; staff will never ask for it."
        ),
        "contact_email": "billing@prairie-telco.example.com",
        "support_phone": "1-605-555-0163",
        "support_hours": "Monday to Friday, 8 a.m. to 4:30 p.m. Central",
        "placeholder_emails": ["blackhole@prairie-telco.example.com"],
        "require_address_of_record": True,
    },
    kind="telco",
    customer_prefix="PT",
    contract_prefix="PH",
    invoice_prefix="3",
    area_codes=("605",),
    places=(
        ("Madison", "SD", "570"),
        ("Brookings", "SD", "570"),
        ("Howard", "SD", "573"),
        ("Arlington", "SD", "570"),
    ),
    email_domains=("example.com", "example.net", "example.org"),
    due_days=20,
    amount_range=(45, 165),
)

GREENLEAF = BillerSpec(
    slug="greenleaf-services",
    document="003",
    summary=(
        "Pest control and lawn care. Sign-up by email link; upcoming and past "
        "service visits; unsent invoices stay hidden; Past Due on the dashboard; "
        "credits, payments with allocations, autopay and text alerts."
    ),
    settings={
        "name": "Greenleaf Pest & Lawn",
        "country": "US",
        "currency": "USD",
        "timezone": "America/New_York",
        "languages": ["en"],
        "default_language": "en",
        "brand_color": "#3a5a40",
        "tagline": "Your account, your services, any time",
        "enrollment_methods": ["E3"],
        "password_min_length": 15,
        "password_max_length": 128,
        "password_min_letters": 0,
        "password_min_digits": 0,
        "password_history": 0,
        "security_question_count": 0,
        "temporary_password_hours": 72,
        "session_idle_minutes": 30,
        "session_absolute_hours": 12,
        "terms_version": "1",
        "terms_text": (
            "Customer Portal\n\nView your upcoming and past services, view and pay "
            "invoices, sign up for text alerts and more. Text alerts are service "
            "reminders, never marketing; reply STOP to end them."
        ),
        "contact_email": "office@greenleaf.example.com",
        "support_phone": "1-404-555-0188",
        "support_hours": "Monday to Saturday, 8 a.m. to 6 p.m. Eastern",
        "placeholder_emails": [],
        "require_address_of_record": True,
    },
    kind="service",
    customer_prefix="GL",
    contract_prefix="SV",
    invoice_prefix="4",
    area_codes=("404", "770", "678"),
    places=(
        ("Atlanta", "GA", "303"),
        ("Marietta", "GA", "300"),
        ("Decatur", "GA", "300"),
        ("Roswell", "GA", "300"),
    ),
    email_domains=("example.com", "example.net", "example.org"),
    due_days=15,
    amount_range=(49, 189),
)

AGUACLARA = BillerSpec(
    slug="aguaclara-utility",
    document="004",
    summary=(
        "Water utility in Spanish and English. Account locator (account number "
        "plus invoice amount or ZIP code) and 30-second registration after a "
        "one-time payment; sign-out returns to the sign-in page."
    ),
    settings={
        "name": "Agua Clara Utilities",
        "country": "US",
        "currency": "USD",
        "timezone": "America/Denver",
        "languages": ["es", "en"],
        "default_language": "es",
        "brand_color": "#0b6e99",
        "tagline": "Su cuenta de agua, en línea y en su idioma",
        "enrollment_methods": ["E4", "E5"],
        "password_min_length": 15,
        "password_max_length": 128,
        "password_min_letters": 0,
        "password_min_digits": 0,
        "password_history": 0,
        "security_question_count": 0,
        "temporary_password_hours": 72,
        "session_idle_minutes": 30,
        "session_absolute_hours": 12,
        "terms_version": "2",
        "terms_text": (
            "Portal del cliente — Términos de uso\n\n"
            "El portal muestra las facturas enviadas de su cuenta de agua y le "
            "permite pagarlas, programar pagos y recibir facturas electrónicas.\n\n"
            "Customer Portal — Terms of use\n\n"
            "The portal shows the sent invoices of your water account and lets you "
            "pay them, schedule payments and go paperless."
        ),
        "contact_email": "servicio@aguaclara.example.com",
        "support_phone": "1-915-555-0124",
        "support_hours": "Lunes a viernes, 7 a. m. a 6 p. m. / Monday to Friday, 7-6",
        "placeholder_emails": [],
        "require_address_of_record": True,
    },
    kind="utility",
    customer_prefix="AC",
    contract_prefix="",
    invoice_prefix="9",
    area_codes=("915",),
    places=(
        ("El Paso", "TX", "799"),
        ("Socorro", "TX", "799"),
        ("Horizon City", "TX", "799"),
        ("Anthony", "TX", "798"),
    ),
    email_domains=("example.com", "example.net", "example.org"),
    due_days=21,
    amount_range=(28, 140),
)

BILLERS: tuple[BillerSpec, ...] = (SUMMIT, MAPLE, PRAIRIE, GREENLEAF, AGUACLARA)


def spec_get(slug: str) -> BillerSpec:
    for spec in BILLERS:
        if spec.slug == slug:
            return spec
    raise KeyError(slug)


def local_today(
    spec: BillerSpec, now: datetime.datetime | None = None
) -> datetime.date:
    """The date in the biller's time zone (what "past due" is measured against)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return now.astimezone(zoneinfo.ZoneInfo(spec.settings["timezone"])).date()


# --- names and places --------------------------------------------------------

FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Nancy",
    "Matthew",
    "Lisa",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Dorothy",
    "Andrew",
    "Kimberly",
    "Joshua",
    "Emily",
    "Kenneth",
    "Donna",
)
LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Hill",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Olson",
)
FIRST_CA = (
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "William",
    "Charlotte",
    "Benjamin",
    "Amelia",
    "Étienne",
    "Chloé",
    "Gabriel",
    "Léa",
    "Mathis",
    "Florence",
    "Samuel",
    "Zoé",
    "Jacob",
    "Sophie",
    "Lucas",
    "Maëlle",
    "Owen",
    "Ava",
    "Nathan",
    "Camille",
)
LAST_CA = (
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "MacDonald",
    "Campbell",
    "Stewart",
    "Wilson",
    "Martin",
    "Singh",
    "Chen",
    "Li",
)
FIRST_ES = (
    "María",
    "José",
    "Guadalupe",
    "Juan",
    "Rosa",
    "Luis",
    "Ana",
    "Carlos",
    "Verónica",
    "Jesús",
    "Elena",
    "Miguel",
    "Patricia",
    "Francisco",
    "Sofía",
    "Alejandro",
    "Gabriela",
    "Ricardo",
    "Lucía",
    "Fernando",
    "Daniela",
    "Jorge",
)
LAST_ES = (
    "García",
    "Hernández",
    "Martínez",
    "López",
    "González",
    "Rodríguez",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Flores",
    "Torres",
    "Rivera",
    "Gómez",
    "Díaz",
    "Reyes",
    "Morales",
    "Ortiz",
    "Gutiérrez",
    "Chávez",
    "Ruiz",
    "Mendoza",
    "Castillo",
)
BUSINESS_WORDS = (
    "Ridgeway",
    "Northstar",
    "Lakeside",
    "Ironwood",
    "Bluestem",
    "Granite",
    "Cedar",
    "Prairie",
    "Riverbend",
    "Summit",
    "Pinecrest",
    "Evergreen",
)
BUSINESS_KINDS = (
    "Excavating LLC",
    "Dental Group",
    "Logistics Inc.",
    "Bakery",
    "Printing Co.",
    "Auto Body",
    "Farms",
    "Medical Clinic",
    "Construction",
    "Landscaping",
)
STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Park Rd",
    "Lake St",
    "Hillcrest Blvd",
    "Elm St",
    "2nd Ave",
    "Prairie Rd",
    "Mesa St",
    "Sunset Dr",
)
CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # never D, F, I, O, Q or U

LEASED = (
    "Residential solar energy system",
    "Heat pump and air handler",
    "John Deere 310 backhoe loader",
    "Dental imaging suite",
    "Commercial bakery ovens",
    "Refrigerated delivery van",
    "Konica Minolta production printer",
)
TELCO_SERVICES = (
    ("Local phone service", (24, 32)),
    ("Fiber internet 250 Mbps", (55, 70)),
    ("Fiber internet 1 Gbps", (85, 95)),
    ("Long distance package", (8, 15)),
    ("Video basic tier", (35, 48)),
)
LAWN_SERVICES = (
    "Quarterly pest control",
    "Termite inspection",
    "Lawn fertilization",
    "Weed control",
    "Mosquito treatment",
    "Aeration and overseeding",
)


def _money(value: float | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)


def _s(value: Decimal) -> str:
    return f"{value:.2f}"


# --- the generated bundle of one customer ------------------------------------


@dataclass
class Bundle:
    customer: dict[str, Any]
    contacts: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)

    def rows(self, record_type: str) -> list[dict[str, Any]]:
        return {
            "customers": [self.customer],
            "contacts": self.contacts,
            "contracts": self.contracts,
            "invoices": self.invoices,
            "payments": self.payments,
            "credits": self.credits,
            "service-visits": self.visits,
        }[record_type]


@dataclass(frozen=True)
class ContractPlan:
    status: str  # pending | booked | terminated
    in_service: bool
    invoices: int  # months billed, newest first (k = 0 is this month)
    # How each invoice stands, newest first: "open", "past_due", "partial",
    # "paid", "unsent". Shorter than ``invoices``: the rest are "paid".
    states: tuple[str, ...] = ()
    bill_to_email: bool = False


class _CustomerBuilder:
    def __init__(self, spec: BillerSpec, index: int, seed: int, today: datetime.date):
        self.spec = spec
        self.index = index
        self.today = today
        # A string seed is hashed with SHA-512 by random.Random: stable across
        # runs and machines, unlike hash().
        self.rng = random.Random(f"{seed}:{spec.slug}:{index}")
        self.scenario = SCENARIOS[index] if index < len(SCENARIOS) else "random"
        self.number = f"{spec.customer_prefix}{100001 + index:06d}"

    # -- people ---------------------------------------------------------------

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        if self.spec.kind == "lessor_ca":
            return rng.choice(FIRST_CA), rng.choice(LAST_CA)
        if self.spec.kind == "utility" and rng.random() < 0.7:
            return rng.choice(FIRST_ES), rng.choice(LAST_ES)
        return rng.choice(FIRST), rng.choice(LAST)

    def _address_email(self, first: str, last: str, *, n: int | None = None) -> str:
        local = f"{_ascii(first)}.{_ascii(last)}".lower()
        if n is not None:
            local = f"{local}{n}"
        return f"{local}@{self.rng.choice(self.spec.email_domains)}"

    def _no_email_rate(self) -> float:
        # Rural co-op members often gave no address at the billing conversion.
        return 0.3 if self.spec.kind == "telco" else 0.12

    def _phone(self) -> str:
        area = self.rng.choice(self.spec.area_codes)
        return f"({area}) 555-01{self.rng.randrange(100):02d}"

    def _postal_code(self, stem: str, *, odd: bool) -> str:
        rng = self.rng
        if self.spec.kind == "lessor_ca":
            code = (
                f"{stem}{rng.randrange(10)}{rng.choice(CA_LETTERS)}"
                f" {rng.randrange(10)}{rng.choice(CA_LETTERS)}{rng.randrange(10)}"
            )
            if odd:
                # As typed into the servicing system over the years.
                return rng.choice(
                    (
                        code.lower(),
                        code.replace(" ", ""),
                        code.replace(" ", "-"),
                        f" {code.lower().replace(' ', '')} ",
                        code.replace(" ", " - "),
                    )
                )
            return code
        zip5 = f"{stem}{rng.randrange(100):02d}"
        if odd:
            return f"{zip5}-{rng.randrange(10000):04d}"
        return zip5

    # -- the customer ---------------------------------------------------------

    def build(self) -> Bundle:
        rng = self.rng
        spec = self.spec
        first, last = self._person()
        n = self.index + 1
        business = spec.kind in {"leasing", "lessor_ca"} and rng.random() < 0.45
        if business:
            name = f"{rng.choice(BUSINESS_WORDS)} {rng.choice(BUSINESS_KINDS)}"
        else:
            name = f"{first} {last}"
        email = self._address_email(first, last, n=n)
        if self.scenario == "multi_email" or (
            self.scenario == "random" and rng.random() < 0.1
        ):
            other = self._address_email(first, last, n=n + 1000)
            separator = rng.choice(("; ", ";", ", ", " , "))
            email = f"{email}{separator}{other}"
        elif self.scenario == "random" and rng.random() < self._no_email_rate():
            email = ""
        elif self.scenario == "random" and rng.random() < 0.1:
            # Mixed case as keyed in; the index compares lower-cased.
            email = email.title()
        placeholders = spec.settings["placeholder_emails"]
        if placeholders and (email == "" or self.scenario == "special"):
            email = placeholders[0]
        bundle = Bundle(
            customer={
                "number": self.number,
                "name": name,
                "email": email,
                "phone": self._phone(),
            }
        )
        self._contacts(bundle, first, last, business=business)
        for c, plan in enumerate(self._plans()):
            self._contract(bundle, c, plan, name)
        return bundle

    def _contacts(
        self, bundle: Bundle, first: str, last: str, *, business: bool
    ) -> None:
        rng = self.rng
        count = 1 if self.scenario == "multi_email" else 0
        if self.scenario == "random":
            count = rng.choices((0, 1, 2), weights=(55, 35, 10))[0]
        if business and count == 0 and rng.random() < 0.5:
            count = 1
        for k in range(count):
            cf, cl = self._person()
            if k == 0 and not business:
                cl = last  # a spouse or family member
            bundle.contacts.append(
                {
                    "id": f"{self.number}-K{k + 1}",
                    "customer": self.number,
                    "name": f"{cf} {cl}",
                    "email": self._address_email(
                        cf, cl, n=self.index + 1 + 5000 * (k + 1)
                    ),
                    "phone": self._phone(),
                }
            )

    def _plans(self) -> list[ContractPlan]:
        rng = self.rng
        kind = self.spec.kind
        months = 6 if kind in {"leasing", "lessor_ca"} else 4
        match self.scenario:
            case "current":
                return [ContractPlan("booked", True, months, ("open",))]
            case "past_due":
                return [
                    ContractPlan(
                        "booked", True, months, ("unsent", "past_due", "partial")
                    )
                ]
            case "not_in_service":
                return [ContractPlan("booked", False, 0)]
            case "multi_email":
                return [ContractPlan("booked", True, 3, ("open",), bill_to_email=True)]
            case "credit_over_balance":
                return [ContractPlan("booked", True, 2, ("open",))]
            case "paid_up":
                return [ContractPlan("booked", True, months, ("paid",))]
            case "pending_and_terminated":
                return [
                    ContractPlan("pending", False, 0),
                    ContractPlan("terminated", True, 3, ("paid",)),
                ]
            case "special":
                return [
                    ContractPlan(
                        "booked", True, 3, ("open",), bill_to_email=kind != "telco"
                    )
                ]
        plans = []
        count = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        for _ in range(count):
            roll = rng.random()
            if roll < 0.07:
                plans.append(ContractPlan("pending", False, 0))
            elif roll < 0.13:
                plans.append(
                    ContractPlan("terminated", True, rng.randint(2, 4), ("paid",))
                )
            elif roll < 0.21:
                plans.append(
                    ContractPlan("booked", False, 0, bill_to_email=rng.random() < 0.3)
                )
            else:
                newest = rng.choices(
                    ("open", "unsent", "past_due", "paid"), weights=(55, 20, 15, 10)
                )[0]
                second = rng.choices(
                    ("paid", "past_due", "partial"), weights=(80, 12, 8)
                )[0]
                if newest == "unsent":
                    states: tuple[str, ...] = ("unsent", second)
                elif newest == "past_due":
                    states = ("past_due", rng.choice(("paid", "past_due")))
                else:
                    states = (newest, "paid")
                plans.append(
                    ContractPlan(
                        "booked",
                        True,
                        rng.randint(2, months),
                        states,
                        bill_to_email=rng.random() < 0.3,
                    )
                )
        return plans

    # -- a contract and its records ------------------------------------------

    def _contract(
        self, bundle: Bundle, c: int, plan: ContractPlan, customer_name: str
    ) -> None:
        rng = self.rng
        spec = self.spec
        today = self.today
        city, region, stem = rng.choice(spec.places)
        odd_postal = self.scenario == "special" or (
            self.scenario == "random" and rng.random() < 0.25
        )
        if spec.kind == "lessor_ca":
            odd_postal = odd_postal or self.scenario == "multi_email"
        postal = self._postal_code(stem, odd=odd_postal)
        address = f"{rng.randint(10, 9999)} {rng.choice(STREETS)}, {city}, {region}"
        number = self._contract_number(c)
        months = max(plan.invoices, 1)
        start = today - datetime.timedelta(days=30 * months + rng.randint(5, 25))
        in_service_date = start.isoformat() if plan.in_service else ""
        if not plan.in_service and plan.status == "booked":
            # Booked, installed, waiting for the in-service approval (M3).
            in_service_date = ""
        bill_to_email = ""
        bill_to_name = customer_name
        if plan.bill_to_email:
            bill_to_name = f"Accounts Payable — {customer_name}"
            bill_to_email = (
                f"ap.{number.lower().replace('-', '')}@{rng.choice(spec.email_domains)}"
            )
        bundle.contracts.append(
            {
                "number": number,
                "customer": self.number,
                "status": plan.status,
                "in_service_approved": plan.in_service,
                "in_service_date": in_service_date,
                "billing_address": address,
                "billing_country": spec.settings["country"],
                "billing_postal_code": postal,
                "bill_to_name": bill_to_name,
                "bill_to_email": bill_to_email,
                "paperless": rng.random() < 0.4,
            }
        )
        base = self._monthly_amount()
        paid: list[tuple[str, Decimal, str]] = []
        balance = ZERO
        for k in range(plan.invoices):
            state = plan.states[k] if k < len(plan.states) else "paid"
            if plan.status == "terminated":
                # A terminated contract stopped billing some months ago.
                state = "paid"
            invoice, paid_part = self._invoice(number, c, k, state, base, plan)
            bundle.invoices.append(invoice)
            balance += Decimal(invoice["open_balance"])
            if paid_part > ZERO:
                paid.append((invoice["number"], paid_part, invoice["issue_date"]))
        self._payments(bundle, number, c, paid)
        self._credits(bundle, number, c, balance)
        if spec.kind == "service" and plan.status != "pending":
            self._visits(bundle, number, c, plan)

    def _contract_number(self, c: int) -> str:
        spec = self.spec
        if spec.kind == "leasing":
            return f"AG-{2400000 + self.index * 10 + c}"
        if spec.kind == "lessor_ca":
            return f"C{500000 + self.index * 10 + c:07d}"
        if spec.kind == "telco":
            return f"PH-{70000 + self.index * 10 + c}"
        if spec.kind == "service":
            return f"SV-{30000 + self.index * 10 + c}"
        return f"{10000000 + self.index * 10 + c}"  # utility account number

    def _monthly_amount(self) -> Decimal:
        low, high = self.spec.amount_range
        return _money(self.rng.uniform(low, high))

    def _lines(self, base: Decimal, k: int) -> list[dict[str, str]]:
        rng = self.rng
        kind = self.spec.kind
        lines: list[tuple[str, Decimal, Decimal]] = []  # description, qty, unit price
        if kind in {"leasing", "lessor_ca"}:
            item = LEASED[self.index % len(LEASED)]
            lines.append((f"Lease payment — {item}", Decimal(1), base))
            if kind == "leasing":
                lines.append(
                    (
                        "Personal property tax",
                        Decimal(1),
                        _money(base * Decimal("0.012")),
                    )
                )
                lines.append(
                    ("Sales tax 7.375%", Decimal(1), _money(base * Decimal("0.07375")))
                )
            else:
                lines.append(("HST 13%", Decimal(1), _money(base * Decimal("0.13"))))
        elif kind == "telco":
            picks = rng.sample(TELCO_SERVICES, k=rng.randint(1, 3))
            for description, (low, high) in picks:
                lines.append((description, Decimal(1), _money(rng.uniform(low, high))))
            lines.append(("Federal Universal Service Fee", Decimal(1), Decimal("3.42")))
        elif kind == "service":
            service = LAWN_SERVICES[(self.index + k) % len(LAWN_SERVICES)]
            lines.append((service, Decimal(1), base))
            if rng.random() < 0.3:
                lines.append(
                    (
                        "Additional bait stations",
                        Decimal(rng.randint(2, 6)),
                        Decimal("12.50"),
                    )
                )
        else:
            thousands = Decimal(rng.randint(3, 18))
            lines.append(
                ("Cargo fijo de agua / Water base charge", Decimal(1), Decimal("18.75"))
            )
            lines.append(
                (
                    "Consumo de agua / Water usage (1,000 gal)",
                    thousands,
                    Decimal("3.86"),
                )
            )
            lines.append(
                (
                    "Alcantarillado / Sewer",
                    Decimal(1),
                    _money(thousands * Decimal("2.15")),
                )
            )
        return [
            {
                "description": description,
                "quantity": f"{quantity}",
                "unit_price": _s(unit),
                "amount": _s(_money(quantity * unit)),
            }
            for description, quantity, unit in lines
        ]

    def _invoice(
        self,
        contract: str,
        c: int,
        k: int,
        state: str,
        base: Decimal,
        plan: ContractPlan,
    ) -> tuple[dict[str, Any], Decimal]:
        today = self.today
        due_days = self.spec.due_days
        # Newest first. The newest open invoice is not yet due; a past-due one
        # fell due a few days ago; older ones a month apart.
        if state == "past_due":
            due = today - datetime.timedelta(
                days=3 + 30 * max(k - 1, 0) + self.rng.randint(0, 12)
            )
        elif k == 0:
            due = today + datetime.timedelta(days=self.rng.randint(3, due_days - 1))
        else:
            due = today - datetime.timedelta(days=30 * k - self.rng.randint(0, 5))
        issue = due - datetime.timedelta(days=due_days)
        if state == "unsent":
            # Just produced in the servicing system, not sent to the customer.
            issue = today - datetime.timedelta(days=self.rng.randint(0, 2))
            due = issue + datetime.timedelta(days=due_days)
        lines = self._lines(base, k)
        amount = sum((Decimal(line["amount"]) for line in lines), ZERO)
        if self.scenario == "credit_over_balance" and k == 0:
            amount = Decimal("40.00")
            lines = [
                {
                    "description": lines[0]["description"],
                    "quantity": "1",
                    "unit_price": "40.00",
                    "amount": "40.00",
                }
            ]
        if state in {"open", "past_due", "unsent"}:
            open_balance = amount
        elif state == "partial":
            open_balance = _money(
                amount * Decimal(self.rng.choice(("0.25", "0.5", "0.6")))
            )
        else:
            open_balance = ZERO
        invoice = {
            "number": f"{self.spec.invoice_prefix}{self.index + 1:06d}{c}{k:02d}",
            "contract": contract,
            "issue_date": issue.isoformat(),
            "due_date": due.isoformat(),
            "amount": _s(amount),
            "open_balance": _s(open_balance),
            "delivery_status": "unsent" if state == "unsent" else "sent",
            "lines": lines,
        }
        return invoice, amount - open_balance

    def _payments(
        self,
        bundle: Bundle,
        contract: str,
        c: int,
        paid: list[tuple[str, Decimal, str]],
    ) -> None:
        rng = self.rng
        methods = (
            ("card", "ach", "check")
            if self.spec.kind != "utility"
            else ("card", "ach", "cash")
        )
        prefix = self.spec.invoice_prefix
        # Oldest first; now and then one payment settles two invoices.
        pending = list(reversed(paid))
        p = 0
        while pending:
            group = [pending.pop(0)]
            if (
                pending
                and rng.random() < 0.2
                and _float_sum_exact(group[0][1], pending[0][1])
            ):
                group.append(pending.pop(0))
            total = sum((amount for _n, amount, _d in group), ZERO)
            received = datetime.date.fromisoformat(group[-1][2]) + datetime.timedelta(
                days=rng.randint(3, 14)
            )
            received = min(received, self.today)
            bundle.payments.append(
                {
                    "reference": f"P{prefix}{self.index + 1:06d}{c}{p:02d}",
                    "contract": contract,
                    "received_on": received.isoformat(),
                    "amount": _s(total),
                    "method": rng.choice(methods),
                    "allocations": [
                        {"invoice": n, "amount": _s(a)} for n, a, _d in group
                    ],
                }
            )
            p += 1

    def _credits(self, bundle: Bundle, contract: str, c: int, balance: Decimal) -> None:
        rng = self.rng
        reference = f"CR{self.spec.invoice_prefix}{self.index + 1:06d}{c}"
        if self.scenario == "credit_over_balance":
            bundle.credits.append(
                {
                    "reference": reference,
                    "contract": contract,
                    "issued_on": (self.today - datetime.timedelta(days=6)).isoformat(),
                    "amount": "100.00",
                    "open_amount": "100.00",
                    "reason": "Billing adjustment: duplicate charge refunded as credit",
                }
            )
        elif self.scenario == "random" and rng.random() < 0.12:
            amount = _money(rng.uniform(5, 60))
            applied = rng.random() < 0.5
            bundle.credits.append(
                {
                    "reference": reference,
                    "contract": contract,
                    "issued_on": (
                        self.today - datetime.timedelta(days=rng.randint(5, 120))
                    ).isoformat(),
                    "amount": _s(amount),
                    "open_amount": _s(ZERO if applied else amount),
                    "reason": rng.choice(
                        ("Service credit", "Goodwill credit", "Rate adjustment")
                    ),
                }
            )

    def _visits(
        self, bundle: Bundle, contract: str, c: int, plan: ContractPlan
    ) -> None:
        rng = self.rng
        tz = zoneinfo.ZoneInfo(self.spec.settings["timezone"])
        visits: list[tuple[int, str]] = []  # (days from today, status)
        for k in range(max(plan.invoices, 1)):
            status = "completed" if rng.random() < 0.85 else "cancelled"
            visits.append((-30 * k - rng.randint(1, 20), status))
        if plan.status == "booked" and plan.in_service:
            visits.append((rng.randint(2, 30), "scheduled"))
            if rng.random() < 0.4:
                visits.append((rng.randint(31, 90), "scheduled"))
        elif plan.status == "booked":
            visits.append((rng.randint(2, 14), "scheduled"))  # the first service
        for v, (days, status) in enumerate(visits):
            when = datetime.datetime.combine(
                self.today + datetime.timedelta(days=days),
                datetime.time(
                    rng.choice((8, 9, 10, 11, 13, 14, 15)), rng.choice((0, 30))
                ),
                tzinfo=tz,
            )
            service = LAWN_SERVICES[(self.index + v) % len(LAWN_SERVICES)]
            notes = ""
            if status == "cancelled":
                notes = rng.choice(("Rain delay; customer rescheduled", "Gate locked"))
            elif status == "completed" and rng.random() < 0.4:
                notes = rng.choice(
                    (
                        "Treated perimeter and entry points",
                        "Pet in yard; treated front only",
                        "Signs of activity near garage; follow-up scheduled",
                    )
                )
            bundle.visits.append(
                {
                    "reference": f"V{self.index + 1:06d}{c}{v:02d}",
                    "contract": contract,
                    "scheduled_for": when.isoformat(),
                    "status": status,
                    "service": service,
                    "notes": notes,
                }
            )


def _float_sum_exact(a: Decimal, b: Decimal) -> bool:
    """Whether a + b in binary floating point does not exceed the exact sum.

    SQLite keeps decimals as floating point, and its allocation guard compares
    a floating-point sum of the allocations with the payment amount; a pair
    such as 0.10 + 0.20 would look over-allocated there.
    """
    return float(a) + float(b) <= float(a + b)


def _ascii(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum())


def customer_bundle(
    spec: BillerSpec, index: int, *, seed: int = DEFAULT_SEED, today: datetime.date
) -> Bundle:
    """Everything generated for one customer of one biller."""
    return _CustomerBuilder(spec, index, seed, today).build()


def records(
    spec: BillerSpec,
    record_type: str,
    *,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    today: datetime.date,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (row number, row) for one record type, one customer at a time."""
    if record_type not in RECORD_TYPES:
        raise ValueError(f"unknown record type {record_type!r}")
    line = 0
    for index in range(customers):
        for row in customer_bundle(spec, index, seed=seed, today=today).rows(
            record_type
        ):
            line += 1
            yield line, row


class Spool:
    """Generate a biller's customers once, spooled to temporary files by type.

    The import needs the record types one after another (contracts name their
    customer, invoices their contract), but generating each customer seven
    times costs more than writing its rows once to disk; memory stays flat
    however many customers are made.
    """

    def __init__(
        self,
        spec: BillerSpec,
        *,
        customers: int = DEFAULT_CUSTOMERS,
        seed: int = DEFAULT_SEED,
        today: datetime.date,
    ):
        self.spec = spec
        self.customers = customers
        self.seed = seed
        self.today = today
        self.counts: dict[str, int] = dict.fromkeys(RECORD_TYPES, 0)
        self._stack = ExitStack()
        self._files: dict[str, Any] = {}

    def __enter__(self) -> Spool:
        for record_type in RECORD_TYPES:
            self._files[record_type] = self._stack.enter_context(
                tempfile.TemporaryFile("w+", encoding="utf-8")
            )
        for index in range(self.customers):
            bundle = customer_bundle(self.spec, index, seed=self.seed, today=self.today)
            for record_type, fh in self._files.items():
                for row in bundle.rows(record_type):
                    fh.write(json.dumps(row, ensure_ascii=False))
                    fh.write("\n")
                    self.counts[record_type] += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def rows(self, record_type: str) -> Iterator[tuple[int, dict[str, Any]]]:
        fh = self._files[record_type]
        fh.seek(0)
        for line, text in enumerate(fh, start=1):
            yield line, json.loads(text)
