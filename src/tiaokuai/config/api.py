from tiaokuai.core.api import AUTH, Api, auth_router, install_error_handlers
from tiaokuai.duties.api import router as duties_router
from tiaokuai.intake.api import router as intake_router
from tiaokuai.notify.api import router as notify_router
from tiaokuai.org.api import router as org_router
from tiaokuai.routing.api import router as routing_router
from tiaokuai.whistles.api import router as whistles_router
from tiaokuai.whistles.api_reports import router as whistle_reports_router

api = Api(
    title="tiaokuai API",
    version="1",
    description="条块 · 县乡一体化治理平台 JSON API",
    urls_namespace="api",
    auth=AUTH,
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/", org_router)
api.add_router("/", duties_router)
api.add_router("/", whistles_router)
api.add_router("/", notify_router)
api.add_router("/", whistle_reports_router)
api.add_router("/", routing_router)
api.add_router("/", intake_router)
