// Plan and apply a policy file on a region (ops/plan.ts): the body is the policy document.
import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as plans from '../../control/ops/plan.js';
import type { Context } from '../../http/context.js';
import { ifMatch, principal, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

const PolicyDocument = T.Object(
  {},
  {
    additionalProperties: true,
    description:
      'A policy document (docs/policy-format.md, schema/policy.schema.json), as JSON; its problems are answered with their paths under body',
  },
);
const TenantQuery = T.Object({ tenantId: T.Optional(S.Id) }, { additionalProperties: false });
const ApplyQuery = T.Object(
  {
    tenantId: T.Optional(S.Id),
    preview: T.Optional(
      T.Boolean({ description: 'true: answer the change preview of the apply; nothing is written' }),
    ),
  },
  { additionalProperties: false },
);

export const planRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/regions/:id/plan',
      {
        config: { read: true },
        schema: {
          tags: ['plan'],
          summary:
            'What applying a policy file to the region would create, change and delete, checked as the write would be; nothing is written',
          params: S.IdParams,
          querystring: TenantQuery,
          body: PolicyDocument,
          response: R.answers(R.QUERY, { 200: R.PolicyPlan }, [
            [
              400,
              "the file's problems, each at body.<path>; UNKNOWN_TENANT, MISSING_FIELD (an operator names no tenant)",
            ],
            [403, "FORBIDDEN: a tenant key's file names another tenant"],
            [404, 'NOT_FOUND: no such region'],
            [409, 'QUOTA_EXCEEDED, GROUP_IN_USE, GROUP_REFERENCED, ADDRESS_IN_USE, AMBIGUOUS_MATCH ...'],
            414,
          ]),
        },
      },
      async (req) => {
        const { plan } = await plans.planPolicy(svc, principal(req), req.params.id, {
          document: req.body,
          tenantId: req.query.tenantId,
        });
        return plan;
      },
    );
    app.post(
      '/v1/regions/:id/apply',
      {
        schema: {
          tags: ['plan'],
          summary:
            "Apply a policy file to the region in one write (all or nothing); If-Match: the plan's revision refuses a region changed since",
          params: S.IdParams,
          querystring: ApplyQuery,
          body: PolicyDocument,
          response: R.answers(R.WRITE, { 200: R.AppliedPolicy }, [
            [400, "the file's problems, each at body.<path>"],
            [403, "FORBIDDEN: a tenant key's file names another tenant"],
            [404, 'NOT_FOUND: no such region'],
            [409, 'QUOTA_EXCEEDED, GROUP_IN_USE, GROUP_REFERENCED, ADDRESS_IN_USE, AMBIGUOUS_MATCH ...'],
            [412, 'REVISION_MISMATCH: the region changed since the plan (nothing is written)'],
            414,
          ]),
        },
      },
      async (req, reply) => {
        const opts = writeOptions(req);
        const result = await plans.applyPolicy(
          svc,
          principal(req),
          req.params.id,
          { document: req.body, tenantId: req.query.tenantId, expectedRevision: ifMatch(req) },
          { ...opts, ifMatch: undefined },
        );
        return sendWrite(reply, result);
      },
    );
  };
