"""The JSON API (django-ninja): version 1 under /api/v1/."""

from ninja import NinjaAPI, Router

from billfold.api.sync import router as sync_router

api = NinjaAPI(
    title="Billfold API", version="1", docs_url="/docs", openapi_url="/openapi.json"
)

v1 = Router()
v1.add_router("", sync_router)
api.add_router("/v1", v1)
