// Reachability of the stored policy: who reaches whom, and why a packet does not pass (ops/reachability.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as reachability from '../../control/ops/reachability.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const reachabilityRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/regions/:id/reachability',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "Who reaches whom among the caller's ports (by=port: every allowed pair with its protocols and ports, and the deciding rules of both sides) or groups (by=group: member pairs allowed, what some and every pair allows)",
          params: S.IdParams,
          querystring: S.ReachabilityQuery,
          response: R.answers(R.READ, { 200: R.Reachability }, [
            400,
            [404, 'NOT_FOUND: no such region'],
            414,
          ]),
        },
      },
      async (req) => reachability.regionReachability(svc, principal(req), req.params.id, req.query),
    );
    app.get(
      '/v1/regions/:id/reachability/why-not',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "Why a packet from one endpoint to another is not delivered: each side's reason (no allow matched, a deny rule, a port that fails closed) and verified rule changes that would deliver it",
          params: S.IdParams,
          querystring: S.WhyNotQuery,
          response: R.answers(R.READ, { 200: R.WhyNot }, [
            [400, 'INVALID_ENDPOINT, UNKNOWN_PROTOCOL, PROTOCOL_OUT_OF_RANGE'],
            [404, "NOT_FOUND: no such region, or an endpoint is another tenant's port"],
            414,
          ]),
        },
      },
      async (req) => reachability.whyNotOf(svc, principal(req), req.params.id, req.query),
    );
  };
