// Instances, ports and memberships: join, leave, replace (ops/instances.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as inst from '../../control/ops/instances.js';
import type { Context } from '../../http/context.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

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
          response: R.answers(R.WRITE, { 201: R.One(R.Instance) }, [
            403,
            [409, 'ADDRESS_IN_USE, QUOTA_EXCEEDED (also of the default group made now)'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await inst.createInstance(svc, principal(req), req.body, writeOptions(req))),
    );
    const listInstances = {
      tags,
      querystring: S.InstanceQuery,
      response: R.answers(R.READ, { 200: R.Page(R.Instance) }, [400]),
    };
    app.get('/v1/instances', { schema: listInstances }, async (req) => {
      return inst.listInstances(svc, principal(req), req.query);
    });
    const getInstance = {
      tags,
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.Instance) }, [400, 404, 414]),
    };
    app.get('/v1/instances/:id', { schema: getInstance }, async (req, reply) => {
      return sendObject(reply, inst.getInstance(svc, principal(req), req.params.id));
    });
    app.patch(
      '/v1/instances/:id',
      {
        schema: {
          tags,
          params: S.IdParams,
          body: S.InstancePatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Instance) }, [404, 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.updateInstance(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    const deleteInstance = {
      tags,
      params: S.IdParams,
      response: R.answers(R.WRITE, { 204: null }, [404, 412, 414]),
    };
    app.delete('/v1/instances/:id', { schema: deleteInstance }, async (req, reply) =>
      sendWrite(reply, await inst.deleteInstance(svc, principal(req), req.params.id, writeOptions(req))),
    );
    const listPorts = {
      tags,
      summary: "The caller's ports across instances, by id",
      querystring: S.PortQuery,
      response: R.answers(R.READ, { 200: R.Page(R.Port) }, [400]),
    };
    app.get('/v1/ports', { schema: listPorts }, async (req) =>
      inst.listPorts(svc, principal(req), req.query),
    );
    const getPort = {
      tags,
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.Port) }, [400, 404, 414]),
    };
    app.get('/v1/ports/:id', { schema: getPort }, async (req, reply) => {
      return sendObject(reply, inst.getPort(svc, principal(req), req.params.id));
    });
    app.patch(
      '/v1/ports/:id',
      {
        schema: {
          tags,
          summary: 'Addresses, host and interface',
          params: S.IdParams,
          body: S.PortPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Port) }, [404, [409, 'ADDRESS_IN_USE'], 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.updatePort(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.post(
      '/v1/ports/:id/groups',
      {
        schema: {
          tags,
          summary: 'Join a group at a sequence (0 first); answers the port',
          params: S.IdParams,
          body: S.Join,
          response: R.answers(R.WRITE, { 200: R.One(R.Port) }, [
            404,
            [409, 'ALREADY_MEMBER, QUOTA_EXCEEDED'],
            412,
            414,
          ]),
        },
      },
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
      {
        schema: {
          tags,
          summary: 'Replace the ordered memberships; answers the port',
          params: S.IdParams,
          body: S.SetGroups,
          response: R.answers(R.WRITE, { 200: R.One(R.Port) }, [404, [409, 'QUOTA_EXCEEDED'], 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.setGroups(svc, principal(req), req.params.id, req.body.groupIds, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/ports/:id/groups/:groupId',
      {
        schema: {
          tags,
          summary: 'Leave a group (409 if it is the last one); answers the port',
          params: S.MemberParams,
          response: R.answers(R.WRITE, { 200: R.One(R.Port) }, [
            [404, 'NOT_FOUND: no such port, or the port is not in the group'],
            [409, 'LAST_GROUP: a port never has no group'],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await inst.leaveGroup(svc, principal(req), req.params.id, req.params.groupId, writeOptions(req)),
        ),
    );
  };
