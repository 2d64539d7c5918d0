// The change stream (SSE), snapshots and the audit log (ops/changes.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as changes from '../../control/ops/changes.js';
import { principal } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';
import type { Context } from '../../http/context.js';

const HEARTBEAT_MS = 15_000;

export const changeRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/watch',
      {
        schema: {
          tags: ['changes'],
          summary:
            'Server-Sent Events: every change after fromRevision (or Last-Event-ID), then live; resumable',
          querystring: S.WatchQuery,
          response: { ...R.answers(R.READ, {}, [400]), 200: R.EVENT_STREAM },
        },
      },
      async (req, reply) => {
        const who = principal(req);
        const lastEventId = Number(req.headers['last-event-id']);
        let after =
          Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (req.query.fromRevision ?? 0);
        const filter = { regionId: req.query.regionId, host: req.query.host };
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(`: watching changes after revision ${after}\n\n`);
        let open = true;
        req.raw.on('close', () => (open = false));
        let lastBeat = Date.now();
        try {
          while (open && !svc.feed.closed) {
            const batch = await changes.readChanges(svc, who, after, filter);
            for (const change of batch) {
              res.write(`id: ${change.revision}\nevent: change\ndata: ${JSON.stringify(change)}\n\n`);
              after = change.revision;
            }
            if (batch.length) continue;
            if (Date.now() - lastBeat >= HEARTBEAT_MS) {
              res.write(': keepalive\n\n');
              lastBeat = Date.now();
            }
            await svc.feed.wait(HEARTBEAT_MS);
          }
        } catch (err) {
          req.log.warn({ err }, 'watch stream ended');
        } finally {
          res.end();
        }
      },
    );
    app.get(
      '/v1/snapshot',
      {
        schema: {
          tags: ['changes'],
          summary: 'The whole desired state at a revision (default: latest)',
          querystring: S.SnapshotQuery,
          response: R.answers(R.READ, { 200: R.Snapshot }, [[400, 'INVALID_REVISION']]),
        },
      },
      async (req) => changes.snapshot(svc, principal(req), req.query),
    );
    app.get(
      '/v1/audit',
      {
        schema: {
          tags: ['changes'],
          summary: 'Who changed what, before and after; newest first',
          querystring: S.AuditQuery,
          response: R.answers(R.READ, { 200: R.Page(R.AuditEntry) }, [[400, 'INVALID_CURSOR']]),
        },
      },
      async (req) => changes.listAudit(svc, principal(req), req.query),
    );
  };
