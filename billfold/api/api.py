"""The JSON API (django-ninja)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Billfold API", version="1", docs_url="/docs", openapi_url="/openapi.json")
