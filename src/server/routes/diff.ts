// Differences of a region's policy (ops/diff.ts): between two committed revisions, or against a
// policy file sent as the body. Change previews are not routes of their own: every native write
// answers one with ?preview=true (ops/preview.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import * as diff from '../../control/ops/diff.js';
import type { Context } from '../../http/context.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

const RevisionPair = T.Object({
  from: T.Integer({ minimum: 0, description: 'The revision of the "before" side' }),
  to: T.Optional(
    T.Integer({ minimum: 0, description: 'The revision of the "after" side (default: the latest)' }),
  ),
});

export const diffRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/regions/:id/diff',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "The exact difference of the region's policy between two revisions: per port, the packets newly allowed and newly denied, with the deciding rules of both sides",
          params: S.IdParams,
          querystring: RevisionPair,
          response: R.answers(R.READ, { 200: R.One(R.PolicyDifference) }, [
            [400, 'INVALID_REVISION: not between 0 and the latest'],
            [404, 'NOT_FOUND: no such region'],
            414,
          ]),
        },
      },
      async (req) => diff.revisionDiff(svc, principal(req), req.params.id, req.query),
    );
    app.post(
      '/v1/regions/:id/diff',
      {
        config: { read: true },
        schema: {
          tags: ['analysis'],
          summary:
            'The exact difference between the region as stored and a policy file (the body: the file as JSON): what applying it would newly allow and deny, per port',
          params: S.IdParams,
          body: T.Unknown({ description: 'A policy file document (docs/policy-format.md), as JSON' }),
          response: R.answers(R.QUERY, { 200: R.One(R.PolicyDifference) }, [
            [400, 'the policy file does not load: every problem with its path under body'],
            [404, 'NOT_FOUND: no such region'],
            414,
          ]),
        },
      },
      async (req) => diff.fileDiff(svc, principal(req), req.params.id, req.body),
    );
  };
