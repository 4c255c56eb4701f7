"""``/limits``: the project's absolute limits and usage (no rate
limits)."""

from pecan import rest

from novalite.api import common
from novalite.api.schemas import limits as schema
from novalite.api import validation
from novalite.api.views import limits as views
from novalite.api import wsgi
from novalite import policy
from novalite import quota


class LimitsController(rest.RestController):

    @wsgi.expose()
    @validation.query_schema(schema.index_query, '2.1', '2.74')
    @validation.query_schema(schema.index_query_v275, '2.75')
    def get_all(self, req):
        context = req.context
        policy.authorize(context, 'os_compute_api:limits', {})
        project_id = context.project_id
        if 'tenant_id' in req.GET:
            # As Nova: asking is enough to need the rule, even for one's
            # own project.
            project_id = common.last(req, 'tenant_id')
            policy.authorize(context, 'os_compute_api:limits:other_project')
        return views.build(req, quota.limits(context, project_id),
                           quota.in_use(context, project_id))
