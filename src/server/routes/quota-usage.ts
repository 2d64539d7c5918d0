// A tenant's quotas with their usage (ops/quota-usage.ts): what the console's quota bars show.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { quotaUsage } from '../../control/ops/quota-usage.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const quotaUsageRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/quotas',
      {
        schema: {
          tags: ['tenants'],
          summary:
            "The quotas binding a tenant per region (its overrides, else the region's), with the tenant-wide ones' usage",
          querystring: S.QuotaUsageQuery,
          response: R.answers(R.READ, { 200: R.QuotaUsage }, [
            [400, 'MISSING_FIELD: an operator key names the tenant (tenantId)'],
            [403, "a tenant key reads its own tenant's quotas only"],
            [404, 'NOT_FOUND: no such tenant or region'],
          ]),
        },
      },
      async (req) => quotaUsage(svc, principal(req), req.query),
    );
  };
