// Analysis of the stored policy: a port's effective rules and rule findings, a group's exposure (ops/analysis.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as analysis from '../../control/ops/analysis.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const analysisRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/ports/:id/analysis',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "A port's effective rules (every entry of its groups in evaluation order, with the packets it really decides) and findings: empty, shadowed, partially shadowed, redundant, conflicting rules",
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.PortAnalysis }, [
            400,
            [404, "NOT_FOUND: no such port, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => analysis.portAnalysis(svc, principal(req), req.params.id),
    );
    app.get(
      '/v1/security-groups/:id/exposure',
      {
        schema: {
          tags: ['analysis'],
          summary:
            'Exposure lint of a group: all ports or administrative/database ports open to every address, wide ranges, near the rules quota, unused',
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.GroupExposure }, [
            400,
            [404, "NOT_FOUND: no such group, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => analysis.groupExposureOf(svc, principal(req), req.params.id),
    );
  };
