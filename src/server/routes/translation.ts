// Translation between clouds: a region's policy exported as a cloud's JSON, and such a document
// imported into a region of any profile (ops/translation.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as translation from '../../control/ops/translation.js';
import { CODECS } from '../../compat/formats/index.js';
import type { FormatName } from '../../compat/formats/document.js';
import type { Context } from '../../http/context.js';
import { principal, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

const tags = ['analysis'];

export const translationRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/regions/:id/export',
      {
        schema: {
          tags,
          summary:
            "Export the caller's groups and address groups of a region in a cloud's own JSON, translated into that cloud's semantics, with the packets the document cannot express",
          params: S.IdParams,
          querystring: S.ExportQuery,
          response: R.answers(R.READ, { 200: R.RegionExport }, [
            [400, 'a bad format'],
            [404, 'NOT_FOUND: no such region'],
            [409, 'QUOTA_EXCEEDED: a group needs more rules once translated than the format allows'],
            414,
          ]),
        },
      },
      async (req) =>
        translation.exportRegion(
          svc,
          principal(req),
          req.params.id,
          CODECS.get(req.query.format as FormatName)!,
          req.query.tenantId,
        ),
    );
    app.post(
      '/v1/regions/:id/import',
      {
        schema: {
          tags,
          summary:
            "Import a cloud's JSON (the body) into a region in one write: each group translated into the region's profile, with the packets it cannot express; dryRun=true writes nothing",
          params: S.IdParams,
          querystring: S.ImportQuery,
          body: S.CloudDocument,
          response: R.answers(
            R.WRITE,
            {
              201: R.RegionImport,
              200: new R.Described(
                R.RegionImport,
                'dryRun: what the import would create; nothing was written',
              ),
            },
            [
              [400, 'A bad document field (named by its path), UNKNOWN_GROUP, UNKNOWN_ADDRESS_GROUP'],
              [404, 'NOT_FOUND: no such region'],
              403,
              [409, 'QUOTA_EXCEEDED'],
              414,
            ],
          ),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await translation.importRegion(
            svc,
            principal(req),
            {
              regionId: req.params.id,
              codec: CODECS.get(req.query.format as FormatName)!,
              document: req.body,
              tenantId: req.query.tenantId,
            },
            { ...writeOptions(req), dryRun: req.query.dryRun === true },
          ),
        ),
    );
  };
