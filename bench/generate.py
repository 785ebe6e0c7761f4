"""Deterministic benchmark files: customers, contracts and invoices as JSON Lines."""

import json
import random
from datetime import date, timedelta
from pathlib import Path


def write_files(
    out: Path, *, customers: int, invoices: int, seed: int = 7
) -> dict[str, Path]:
    """Write customers.jsonl, contracts.jsonl (one per customer) and invoices.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = {
        name: out / f"{name}.jsonl" for name in ("customers", "contracts", "invoices")
    }
    with paths["customers"].open("w") as cust, paths["contracts"].open("w") as cont:
        for n in range(customers):
            cust.write(
                json.dumps(
                    {
                        "number": f"C{n:07d}",
                        "name": f"Customer {n}",
                        "email": f"customer{n}@example.com; billing{n}@example.net",
                        "phone": f"555{n:07d}",
                    }
                )
                + "\n"
            )
            cont.write(
                json.dumps(
                    {
                        "number": f"A{n:07d}",
                        "customer": f"C{n:07d}",
                        "status": "booked",
                        "in_service_approved": True,
                        "in_service_date": "2025-01-15",
                        "billing_address": f"{n} Main St",
                        "billing_country": "US",
                        "billing_postal_code": f"{10000 + n % 89999:05d}",
                        "bill_to_name": "",
                        "bill_to_email": "",
                        "paperless": bool(n % 2),
                    }
                )
                + "\n"
            )
    start = date(2024, 1, 1)
    with paths["invoices"].open("w") as inv:
        for n in range(invoices):
            issue = start + timedelta(days=rng.randrange(0, 700))
            cents = rng.randrange(1000, 500000)
            amount = f"{cents // 100}.{cents % 100:02d}"
            paid = rng.random() < 0.7
            inv.write(
                json.dumps(
                    {
                        "number": f"INV{n:08d}",
                        "contract": f"A{n % customers:07d}",
                        "issue_date": issue.isoformat(),
                        "due_date": (issue + timedelta(days=30)).isoformat(),
                        "amount": amount,
                        "open_balance": "0.00" if paid else amount,
                        "delivery_status": "sent" if rng.random() < 0.95 else "unsent",
                    }
                )
                + "\n"
            )
    return paths
