// Enforcement status: host agents' reports and whether each region's latest change is enforced (ops/status.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as status from '../../control/ops/status.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const statusRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/hosts/:host/status',
      {
        config: { read: true },
        schema: {
          tags: ['status'],
          summary:
            "A host agent's report: the revision it enforces, closed ports, rule hit counts (operator keys)",
          params: S.HostParams,
          body: S.HostReport,
          response: R.answers(R.QUERY, { 204: null }, [[403, 'an operator key reports'], 414]),
        },
      },
      async (req, reply) => {
        await status.reportHost(svc, principal(req), req.params.host, req.body);
        return reply.code(204).send();
      },
    );
    app.get(
      '/v1/status',
      {
        schema: {
          tags: ['status'],
          summary:
            'Per region: whether its latest change is enforced on every host with its ports; rule hits',
          querystring: S.StatusQuery,
          response: R.answers(R.READ, { 200: R.EnforcementStatus }, [400]),
        },
      },
      async (req) => status.enforcementStatus(svc, principal(req), req.query.regionId),
    );
  };
