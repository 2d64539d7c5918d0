// IP address groups (prefix lists) and their entries (ops/address-groups.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as ags from '../../control/ops/address-groups.js';
import type { Context } from '../../http/context.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const addressGroupRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['address groups'];
    app.post(
      '/v1/address-groups',
      {
        schema: {
          tags,
          body: S.AddressGroupCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.AddressGroup) }, [403, [409, 'QUOTA_EXCEEDED']]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ags.createAddressGroup(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/address-groups',
      {
        schema: {
          tags,
          querystring: S.AddressGroupQuery,
          response: R.answers(R.READ, { 200: R.Page(R.AddressGroup) }, [400]),
        },
      },
      async (req) => {
        return ags.listAddressGroups(svc, principal(req), req.query);
      },
    );
    const getAddressGroup = {
      tags,
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.AddressGroup) }, [400, 404, 414]),
    };
    app.get('/v1/address-groups/:id', { schema: getAddressGroup }, async (req, reply) => {
      return sendObject(reply, ags.getAddressGroup(svc, principal(req), req.params.id));
    });
    const references = {
      tags,
      summary: 'The rules naming the address group (what keeps it from being deleted)',
      params: S.IdParams,
      response: R.answers(R.READ, { 200: R.AddressGroupReferences }, [400, 404, 414]),
    };
    app.get('/v1/address-groups/:id/references', { schema: references }, async (req) =>
      ags.addressGroupReferences(svc, principal(req), req.params.id),
    );
    app.patch(
      '/v1/address-groups/:id',
      {
        schema: {
          tags,
          summary: 'Rename, describe, replace entries or add/remove some, in one write',
          params: S.IdParams,
          body: S.AddressGroupPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.AddressGroup) }, [
            404,
            [409, 'QUOTA_EXCEEDED'],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ags.updateAddressGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/address-groups/:id',
      {
        schema: {
          tags,
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            404,
            [409, 'ADDRESS_GROUP_IN_USE: rules name it'],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ags.deleteAddressGroup(svc, principal(req), req.params.id, writeOptions(req))),
    );
  };
