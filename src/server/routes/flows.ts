// Flow checks and simulations on the stored policy: nothing is stored (ops/flows.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as flows from '../../control/ops/flows.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const flowRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/regions/:id/flows::check',
      {
        config: { read: true },
        schema: {
          tags: ['flows'],
          summary: 'Would this packet pass? Verdict and the deciding rule of each side',
          params: S.IdParams,
          body: S.FlowCheck,
          response: R.answers(R.QUERY, { 200: R.FlowCheckResult }, [
            [400, 'INVALID_ENDPOINT'],
            [404, "NOT_FOUND: no such region, or an endpoint is another tenant's port"],
            414,
          ]),
        },
      },
      async (req) => flows.checkFlow(svc, principal(req), req.params.id, req.body as flows.PacketInput),
    );
    app.post(
      '/v1/regions/:id/simulations',
      {
        config: { read: true },
        schema: {
          tags: ['flows'],
          summary:
            'Run packets, clock steps and hypothetical changes on the stored policy; nothing is stored',
          params: S.IdParams,
          body: S.Simulation,
          response: R.answers(R.QUERY, { 200: R.SimulationResult }, [
            [
              400,
              'UNKNOWN_GROUP, UNKNOWN_PORT, UNKNOWN_RULE, UNKNOWN_ADDRESS_GROUP, INVALID_ENDPOINT, rule problems',
            ],
            [404, "NOT_FOUND: no such region, or a step names another tenant's port or group"],
            414,
          ]),
        },
      },
      async (req) =>
        flows.simulate(svc, principal(req), req.params.id, req.body.steps as flows.SimulationStep[]),
    );
  };
