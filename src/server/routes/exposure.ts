// Exposure lint with a policy in the request (POST) and for a whole region (ops/exposure.ts);
// GET /v1/security-groups/{id}/exposure, the defaults, is in routes/analysis.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { groupExposureOf } from '../../control/ops/analysis.js';
import { regionExposureOf } from '../../control/ops/exposure.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

const REGION_SUMMARY =
  "Exposure lint of the caller's groups and ports in a region: each group's findings, and one group used for everything, a group per instance, ports under too many rules";

export const exposureRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/security-groups/:id/exposure',
      {
        // Reads: no revision, no Idempotency-Key.
        config: { read: true },
        schema: {
          tags: ['analysis'],
          summary:
            'Exposure lint of a group by the policy in the body (what to flag, thresholds, severities)',
          params: S.IdParams,
          body: S.ExposureQuery,
          response: R.answers(R.QUERY, { 200: R.GroupExposure }, [
            400,
            [404, "NOT_FOUND: no such group, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => groupExposureOf(svc, principal(req), req.params.id, req.body.policy),
    );
    app.get(
      '/v1/regions/:id/exposure',
      {
        schema: {
          tags: ['analysis'],
          summary: `${REGION_SUMMARY} (the default policy)`,
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.RegionExposure }, [
            400,
            [404, 'NOT_FOUND: no such region'],
            414,
          ]),
        },
      },
      async (req) => regionExposureOf(svc, principal(req), req.params.id, undefined),
    );
    app.post(
      '/v1/regions/:id/exposure',
      {
        config: { read: true },
        schema: {
          tags: ['analysis'],
          summary: `${REGION_SUMMARY}, by the policy in the body`,
          params: S.IdParams,
          body: S.ExposureQuery,
          response: R.answers(R.QUERY, { 200: R.RegionExposure }, [
            400,
            [404, 'NOT_FOUND: no such region'],
            414,
          ]),
        },
      },
      async (req) => regionExposureOf(svc, principal(req), req.params.id, req.body.policy),
    );
  };
