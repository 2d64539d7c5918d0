// A group's findings over every port that holds it, and its compaction (ops/group-analysis.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as analysis from '../../control/ops/group-analysis.js';
import type { Context } from '../../http/context.js';
import { principal, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const groupAnalysisRoutes =
  ({ svc, keys }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/security-groups/:id/findings',
      {
        schema: {
          tags: ['analysis'],
          summary:
            "Findings about a group's rules (empty, shadowed, partially shadowed, redundant, conflicting) on every port that holds it, each saying whether it holds on all of them or on which; a group without members is analysed alone",
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.GroupFindings }, [
            400,
            [404, "NOT_FOUND: no such group, or another tenant's"],
            414,
          ]),
        },
      },
      async (req) => analysis.groupFindingsOf(svc, principal(req), req.params.id),
    );
    app.post(
      '/v1/security-groups/:id/compact',
      {
        schema: {
          tags: ['analysis'],
          summary:
            'A smaller rule set for the group that decides every packet the same on every port holding it and for the group alone (merged ports and CIDRs, dropped rules), with the proof; apply=true writes it in one write',
          params: S.IdParams,
          querystring: S.CompactQuery,
          response: R.answers(R.WRITE, { 200: R.GroupCompaction }, [
            400,
            [404, "NOT_FOUND: no such group, or another tenant's"],
            412,
            414,
          ]),
        },
      },
      async (req, reply) => {
        if (req.query.apply)
          return sendWrite(
            reply,
            await analysis.applyCompaction(svc, principal(req), req.params.id, writeOptions(req)),
          );
        // Only answered: nothing writes, so no write records the signed request's nonce. Record
        // it before answering, as reads do, or a replay of the request would be answered too.
        if (req.nonce) await keys.recordNonce(req.nonce);
        // The revision it was computed at, as a write would name its own.
        const proposal = await analysis.proposeCompaction(svc, principal(req), req.params.id);
        reply.header('x-palisade-revision', String(proposal.revision));
        return proposal;
      },
    );
  };
