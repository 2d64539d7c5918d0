// Unused rules: the rules of a group or a port that nothing hit for N days, from the agents' hit counters (ops/rule-usage.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as usage from '../../control/ops/rule-usage.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const ruleUsageRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/security-groups/:id/unused',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "A group's rules that no packet hit for `days` days, from the host agents' counters, each with since when it is measured; rules no agent enforces are listed as not measured",
          params: S.IdParams,
          querystring: S.UnusedQuery,
          response: R.answers(R.READ, { 200: R.GroupUnusedRules }, [
            400,
            [404, "NOT_FOUND: no such group, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => usage.unusedGroupRules(svc, principal(req), req.params.id, req.query.days ?? 30),
    );
    app.get(
      '/v1/ports/:id/unused',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "The rules of a port's groups that no packet hit for `days` days (hits of a rule are counted over every port holding it)",
          params: S.IdParams,
          querystring: S.UnusedQuery,
          response: R.answers(R.READ, { 200: R.PortUnusedRules }, [
            400,
            [404, "NOT_FOUND: no such port, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => usage.unusedPortRules(svc, principal(req), req.params.id, req.query.days ?? 30),
    );
  };
