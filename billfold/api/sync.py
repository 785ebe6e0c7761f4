"""``POST /api/v1/sync/<record-type>``: the servicing system pushes a file."""

import os
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from billfold.api.auth import ApiKeyAuth
from billfold.core.errors import BillfoldError
from billfold.servicing.importing import (
    RECORD_TYPES,
    ImportRejected,
    ImportResult,
    import_rows,
    read_rows,
)

# Bodies above this are refused; larger loads go through ``billfold import``.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FORMATS = {
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl",
    "text/csv": "csv",
}


def max_bytes() -> int:
    """The body limit: setting, else environment variable, else 50 MB."""
    configured = getattr(settings, "BILLFOLD_SYNC_MAX_BYTES", None) or os.environ.get(
        "BILLFOLD_SYNC_MAX_BYTES"
    )
    return int(configured or DEFAULT_MAX_BYTES)


class RowErrorOut(Schema):
    line: int
    field: str
    reason: str


class SyncOut(Schema):
    record_type: str
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    invalid_emails: int
    errors: list[RowErrorOut]
    warnings: list[RowErrorOut]


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[RowErrorOut] = []


class BodyTooLarge(BillfoldError):
    pass


def _result_out(result: ImportResult) -> dict:
    return {
        "record_type": result.record_type,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "invalid_emails": result.invalid_emails,
        "errors": [e.as_dict() for e in result.errors],
        "warnings": [w.as_dict() for w in result.warnings],
    }


def _too_large() -> BodyTooLarge:
    return BodyTooLarge(
        "body_too_large",
        _(
            "The body is larger than %(mb)d MB; split it, or load it with "
            "the billfold import command."
        )
        % {"mb": max_bytes() // (1024 * 1024)},
    )


def _body_lines(request, limit: int) -> Iterator[bytes]:
    """The request body line by line, read from the stream (never all at once)."""
    read = 0
    for line in request:
        read += len(line)
        if read > limit:
            raise _too_large()
        yield line


router = Router(tags=["sync"], auth=ApiKeyAuth())

BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One record type per request; see docs/import-format.md.",
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/sync/{record_type}",
    response={200: SyncOut, 400: ErrorOut, 404: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Push billing records of one type",
    openapi_extra=BODY_DOC,
)
def sync(request, record_type: str, skip_invalid: bool = False):
    """Upsert the records in the body (JSON Lines or CSV) for the key's biller.

    All or nothing: a bad row answers 400 with its line, field and reason and
    nothing is applied, unless ``skip_invalid=true``, which applies the good
    rows and lists the bad ones in ``errors``. Sending the same body again
    changes nothing and answers with every row ``unchanged``.
    """
    if record_type not in RECORD_TYPES:
        return Status(
            404,
            {
                "detail": _("Unknown record type %(type)s; use one of: %(types)s.")
                % {"type": record_type, "types": ", ".join(RECORD_TYPES)},
                "code": "unknown_record_type",
            },
        )
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    fmt = FORMATS.get(content_type)
    if fmt is None:
        return Status(
            415,
            {
                "detail": _("Send application/x-ndjson (JSON Lines) or text/csv."),
                "code": "unsupported_media_type",
            },
        )
    limit = max_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        error = _too_large()
        return Status(413, {"detail": error.message, "code": error.code})
    api_key = request.api_key
    try:
        result = import_rows(
            biller=api_key.biller,
            record_type=record_type,
            rows=read_rows(_body_lines(request, limit), fmt),
            skip_invalid=skip_invalid,
            actor_kind="api",
            actor_id=api_key.prefix,
            source=record_type,
            request=request,
        )
    except ImportRejected as exc:
        return Status(
            400,
            {
                "detail": exc.message,
                "code": exc.code,
                "errors": [e.as_dict() for e in exc.result.errors],
            },
        )
    except BodyTooLarge as exc:
        return Status(413, {"detail": exc.message, "code": exc.code})
    return Status(200, _result_out(result))
