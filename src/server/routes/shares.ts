// Shares (Neutron's RBAC policies in the native API): the owner of a security group or address
// group lets another tenant use it, read-only, as a rule's remote and on its ports.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as shares from '../../control/ops/shares.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';
import type { Context } from '../../http/context.js';

export const shareRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['shares'];
    app.post(
      '/v1/shares',
      {
        schema: {
          tags,
          summary: 'Share an owned group or address group with a tenant (or, operators, every tenant: *)',
          body: S.ShareCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.Share) }, [
            [403, 'FORBIDDEN: * needs an operator key'],
            404,
            [409, 'ALREADY_EXISTS: the object is shared with that tenant already'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await shares.createShare(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/shares',
      {
        schema: {
          tags,
          summary: "The shares of the caller's objects (operators: all)",
          querystring: S.ShareQuery,
          response: R.answers(R.READ, { 200: R.Page(R.Share) }, [400]),
        },
      },
      async (req) => ({ items: await shares.listShares(svc, principal(req), req.query) }),
    );
    app.get(
      '/v1/shares/:id',
      {
        schema: {
          tags,
          params: S.IdParams,
          response: R.answers(R.READ_ONE, { 200: R.One(R.Share) }, [400, 404, 414]),
        },
      },
      async (req, reply) => sendObject(reply, shares.getShare(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/shares/:id',
      {
        schema: {
          tags,
          summary: 'Change the target (refused while the old target uses the object)',
          params: S.IdParams,
          body: S.SharePatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Share) }, [
            403,
            404,
            [409, 'SHARE_IN_USE, ALREADY_EXISTS'],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await shares.updateShare(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/shares/:id',
      {
        schema: {
          tags,
          summary: "Stop sharing (refused while the target's rules or ports use the object)",
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [404, [409, 'SHARE_IN_USE'], 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await shares.deleteShare(svc, principal(req), req.params.id, writeOptions(req))),
    );
  };
