// Instances, ports and memberships; address groups.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as ags from '../../control/ops/address-groups.js';
import * as inst from '../../control/ops/instances.js';
import { principal, sendObject, sendWrite, writeOptions } from '../http.js';
import * as S from '../schemas.js';
import type { Context } from '../app.js';

export const instanceRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['instances and ports'];
    app.post(
      '/v1/instances',
      {
        schema: {
          tags,
          summary: 'Create an instance; ports without groups join the default group',
          body: S.InstanceCreate,
        },
      },
      async (req, reply) =>
        sendWrite(reply, await inst.createInstance(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get('/v1/instances', { schema: { tags, querystring: S.InstanceQuery } }, async (req) => {
      return inst.listInstances(svc, principal(req), req.query);
    });
    app.get('/v1/instances/:id', { schema: { tags, params: S.IdParams } }, async (req, reply) => {
      return sendObject(reply, inst.getInstance(svc, principal(req), req.params.id));
    });
    app.patch(
      '/v1/instances/:id',
      { schema: { tags, params: S.IdParams, body: S.InstancePatch } },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.updateInstance(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete('/v1/instances/:id', { schema: { tags, params: S.IdParams } }, async (req, reply) =>
      sendWrite(reply, await inst.deleteInstance(svc, principal(req), req.params.id, writeOptions(req))),
    );
    app.get('/v1/ports/:id', { schema: { tags, params: S.IdParams } }, async (req, reply) => {
      return sendObject(reply, inst.getPort(svc, principal(req), req.params.id));
    });
    app.patch(
      '/v1/ports/:id',
      { schema: { tags, summary: 'Addresses, host and interface', params: S.IdParams, body: S.PortPatch } },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.updatePort(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.post(
      '/v1/ports/:id/groups',
      { schema: { tags, summary: 'Join a group at a sequence (0 first)', params: S.IdParams, body: S.Join } },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.joinGroup(
            svc,
            principal(req),
            req.params.id,
            req.body.groupId,
            req.body.sequence,
            writeOptions(req),
          ),
        ),
    );
    app.put(
      '/v1/ports/:id/groups',
      { schema: { tags, summary: 'Replace the ordered memberships', params: S.IdParams, body: S.SetGroups } },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.setGroups(svc, principal(req), req.params.id, req.body.groupIds, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/ports/:id/groups/:groupId',
      { schema: { tags, summary: 'Leave a group (409 if it is the last one)', params: S.MemberParams } },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.leaveGroup(svc, principal(req), req.params.id, req.params.groupId, writeOptions(req)),
        ),
    );

    const atags = ['address groups'];
    app.post(
      '/v1/address-groups',
      { schema: { tags: atags, body: S.AddressGroupCreate } },
      async (req, reply) =>
        sendWrite(reply, await ags.createAddressGroup(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/address-groups',
      { schema: { tags: atags, querystring: S.AddressGroupQuery } },
      async (req) => {
        return ags.listAddressGroups(svc, principal(req), req.query);
      },
    );
    app.get('/v1/address-groups/:id', { schema: { tags: atags, params: S.IdParams } }, async (req, reply) => {
      return sendObject(reply, ags.getAddressGroup(svc, principal(req), req.params.id));
    });
    app.patch(
      '/v1/address-groups/:id',
      {
        schema: {
          tags: atags,
          summary: 'Rename, describe, replace entries or add/remove some, in one write',
          params: S.IdParams,
          body: S.AddressGroupPatch,
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
      { schema: { tags: atags, params: S.IdParams } },
      async (req, reply) =>
        sendWrite(reply, await ags.deleteAddressGroup(svc, principal(req), req.params.id, writeOptions(req))),
    );
  };
