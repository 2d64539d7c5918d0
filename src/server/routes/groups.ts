// Security groups: create, list, show, update, delete, clone, references (ops/groups.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as groups from '../../control/ops/groups.js';
import type { Context } from '../../http/context.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const groupRoutes =
  ({ svc }: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const tags = ['security groups'];
    app.post(
      '/v1/security-groups',
      {
        schema: {
          tags,
          summary: 'Create a group: the profile\'s starting rules, a template, or "empty"',
          body: S.GroupCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.SecurityGroupWithRules) }, [
            403,
            [409, 'QUOTA_EXCEEDED (groups, rules), DEFAULT_GROUP_EXISTS'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await groups.createGroup(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/security-groups',
      {
        schema: {
          tags,
          summary: 'List groups (filters, cursor pagination)',
          querystring: S.GroupQuery,
          response: R.answers(R.READ, { 200: R.Page(R.SecurityGroup) }, [400]),
        },
      },
      async (req) => {
        return groups.listGroups(svc, principal(req), req.query);
      },
    );
    app.get(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          summary: 'Describe a group with its rules in evaluation order',
          params: S.IdParams,
          response: R.answers(R.READ_ONE, { 200: R.One(R.SecurityGroupWithRules) }, [400, 404, 414]),
        },
      },
      async (req, reply) => {
        return sendObject(reply, groups.getGroup(svc, principal(req), req.params.id));
      },
    );
    app.patch(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          params: S.IdParams,
          body: S.GroupPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.SecurityGroup) }, [
            404,
            [
              409,
              'GROUP_IN_USE (stateful changes only while the group has no members), DEFAULT_GROUP_EXISTS',
            ],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.updateGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/security-groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete (409 while ports or other groups use it)',
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            404,
            [409, "GROUP_IN_USE (ports are members), GROUP_REFERENCED (other groups' rules name it)"],
            412,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await groups.deleteGroup(svc, principal(req), req.params.id, writeOptions(req))),
    );
    app.post(
      '/v1/security-groups/:id/clone',
      {
        schema: {
          tags,
          params: S.IdParams,
          body: S.GroupClone,
          response: R.answers(R.WRITE, { 201: R.One(R.SecurityGroupWithRules) }, [
            404,
            [409, 'QUOTA_EXCEEDED, DEFAULT_GROUP_EXISTS'],
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await groups.cloneGroup(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.get(
      '/v1/security-groups/:id/references',
      {
        schema: {
          tags,
          summary: 'Groups whose rules reference this group',
          params: S.IdParams,
          response: R.answers(R.READ, { 200: R.GroupReferences }, [400, 404, 414]),
        },
      },
      async (req) => {
        return groups.groupReferences(svc, principal(req), req.params.id);
      },
    );
  };
