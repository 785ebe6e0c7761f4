"""POST /api/v1/sync/<record-type> with a biller API key."""

import json

import pytest

from billfold.api.services import apikey_create, apikey_revoke
from billfold.audit.models import ActivityEvent
from billfold.servicing import models as sm
from tests.factories import ContractFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NDJSON = "application/x-ndjson"


def _jsonl(*rows) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


def _invoice(number="INV-1", contract="A-1", **overrides):
    row = {
        "number": number,
        "contract": contract,
        "issue_date": "2026-10-01",
        "due_date": "2026-10-31",
        "amount": "100.00",
        "open_balance": "100.00",
        "delivery_status": "sent",
    }
    row.update(overrides)
    return row


def _post(client, path, body, key=None, content_type=NDJSON):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(path, data=body, content_type=content_type, **headers)


@pytest.fixture
def key(biller):
    return apikey_create(biller=biller, name="servicing")[1]


@pytest.fixture
def contract(biller):
    return ContractFactory(customer=CustomerFactory(biller=biller), number="A-1")


def test_sync_inserts_then_reports_unchanged(client, key, contract, biller):
    body = _jsonl(_invoice("INV-1"), _invoice("INV-2"))
    first = _post(client, "/api/v1/sync/invoices", body, key)
    second = _post(client, "/api/v1/sync/invoices", body, key)
    assert first.status_code == 200
    assert first.json() == {
        "record_type": "invoices",
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "invalid_emails": 0,
        "errors": [],
        "warnings": [],
    }
    assert (second.json()["inserted"], second.json()["unchanged"]) == (0, 2)
    event = ActivityEvent.objects.filter(biller=biller, action="import.run").first()
    assert (event.actor_kind, event.actor_id) == ("api", key[:11])
    assert event.details == {
        "record_type": "invoices",
        "source": "invoices",
        "inserted": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
    }


def test_sync_accepts_csv(client, key, contract, biller):
    body = (
        "number,contract,issue_date,due_date,amount\n"
        "INV-7,A-1,2026-10-01,2026-10-31,12.50\n"
    )
    response = _post(
        client, "/api/v1/sync/invoices", body, key, content_type="text/csv"
    )
    assert response.status_code == 200
    assert response.json()["inserted"] == 1
    invoice = sm.Invoice.objects.get(biller=biller, number="INV-7")
    assert str(invoice.open_balance) == "12.50"


def test_bad_row_answers_400_and_applies_nothing(client, key, contract, biller):
    body = _jsonl(_invoice("INV-1"), _invoice("INV-2", due_date="2026-09-01"))
    response = _post(client, "/api/v1/sync/invoices", body, key)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "invoices line 2, field due_date: must not be before issue_date "
        "(2026-10-01). Nothing from this file was applied.",
        "code": "import_rejected",
        "errors": [
            {
                "line": 2,
                "field": "due_date",
                "reason": "must not be before issue_date (2026-10-01)",
            }
        ],
    }
    assert sm.Invoice.objects.filter(biller=biller).count() == 0


def test_skip_invalid_applies_good_rows_and_lists_bad_ones(
    client, key, contract, biller
):
    body = _jsonl(_invoice("INV-1"), _invoice("INV-2", contract="A-404"))
    response = _post(client, "/api/v1/sync/invoices?skip_invalid=true", body, key)
    assert response.status_code == 200
    assert (response.json()["inserted"], response.json()["rejected"]) == (1, 1)
    assert response.json()["errors"] == [
        {"line": 2, "field": "contract", "reason": "no contract with number A-404"}
    ]
    assert list(
        sm.Invoice.objects.filter(biller=biller).values_list("number", flat=True)
    ) == ["INV-1"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer bf_00000000_wrong",
        "Bearer ",
        "Basic abc",
        "REVOKED",
        "WRONG_SECRET",
    ],
)
def test_missing_bad_or_revoked_key_is_the_same_401(
    client, key, contract, biller, authorization
):
    if authorization == "REVOKED":
        apikey_revoke(prefix=key[:11])
        authorization = f"Bearer {key}"
    elif authorization == "WRONG_SECRET":
        authorization = f"Bearer {key[:-2]}xx"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = client.post(
        "/api/v1/sync/invoices", data=_jsonl(_invoice()), content_type=NDJSON, **headers
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert sm.Invoice.objects.count() == 0
    assert not ActivityEvent.objects.filter(action="import.run").exists()


def test_key_of_one_biller_never_writes_to_another(
    client, biller, other_biller, contract
):
    other_key = apikey_create(biller=other_biller)[1]
    response = _post(client, "/api/v1/sync/invoices", _jsonl(_invoice()), other_key)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"line": 1, "field": "contract", "reason": "no contract with number A-1"}
    ]
    customers = _jsonl({"number": "C-9", "name": "Other"})
    assert (
        _post(client, "/api/v1/sync/customers", customers, other_key).status_code == 200
    )
    assert sm.Invoice.objects.count() == 0
    assert not sm.Customer.objects.filter(biller=biller, number="C-9").exists()
    assert sm.Customer.objects.filter(biller=other_biller, number="C-9").exists()


def test_unknown_record_type_is_404(client, key):
    response = _post(client, "/api/v1/sync/widgets", "{}\n", key)
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_record_type"


def test_other_content_type_is_415(client, key):
    response = _post(
        client, "/api/v1/sync/invoices", "<x/>", key, content_type="text/xml"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_body_over_the_limit_is_413_and_applies_nothing(
    client, key, contract, settings
):
    settings.BILLFOLD_SYNC_MAX_BYTES = 300
    body = _jsonl(*(_invoice(f"INV-{n}") for n in range(10)))
    response = _post(client, "/api/v1/sync/invoices", body, key)
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert sm.Invoice.objects.count() == 0


def test_openapi_document_lists_the_sync_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/sync/{record_type}" in response.json()["paths"]
    assert client.get("/api/docs").status_code == 200


def test_errors_speak_the_language_asked_for(client, key):
    response = client.post(
        "/api/v1/sync/invoices",
        data="<x/>",
        content_type="text/xml",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 415
    assert (
        response.json()["detail"]
        == "Envíe application/x-ndjson (JSON Lines) o text/csv."
    )


def test_sync_needs_no_csrf_token(key, contract):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = _post(strict, "/api/v1/sync/invoices", _jsonl(_invoice()), key)
    assert response.status_code == 200
