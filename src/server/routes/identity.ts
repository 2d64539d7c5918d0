// OpenStack identities (the Keystone endpoint's users and application credentials), managed
// through the native API by an operator or the tenant itself. Secrets are shown once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import type { RoleName } from '../../control/auth/identity.js';
import type { Context } from '../../http/context.js';
import { principal, sendWrite, writeOptions } from '../../http/requests.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';

export const identityRoutes =
  (ctx: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { identity } = ctx;
    const schema = { tags: ['openstack identity'] };
    const UserParams = T.Object({ userId: S.Id });
    const ADMIN_USER: [number, string] = [
      403,
      "FORBIDDEN: the user holds Keystone's admin role (an operator key manages it)",
    ];

    app.post(
      '/v1/openstack/users',
      {
        schema: {
          ...schema,
          summary: 'Create an OpenStack (Keystone) user of a tenant',
          body: S.IdentityUserCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.OpenStackUser) }, [
            403,
            [409, 'USER_EXISTS: a user has this name'],
          ]),
        },
      },
      async (req, reply) => {
        const { admin, ...user } = req.body;
        const roles: RoleName[] = admin ? ['admin'] : ['member'];
        return sendWrite(
          reply,
          await identity.createUser(principal(req), { ...user, roles }, writeOptions(req)),
        );
      },
    );
    app.get(
      '/v1/openstack/users',
      {
        schema: {
          ...schema,
          querystring: T.Object({ tenantId: T.Optional(S.Id) }),
          response: R.answers(R.READ, { 200: R.List(R.OpenStackUser) }, [400]),
        },
      },
      async (req) => ({ items: await identity.listUsers(principal(req), req.query.tenantId) }),
    );
    app.put(
      '/v1/openstack/users/:userId/password',
      {
        schema: {
          ...schema,
          summary: "Set a user's password; its tokens end",
          params: UserParams,
          body: S.PasswordSet,
          response: R.answers(R.WRITE, { 204: null }, [ADMIN_USER, 404, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await identity.setPassword(principal(req), req.params.userId, req.body.password, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/openstack/users/:userId',
      {
        schema: {
          ...schema,
          params: UserParams,
          response: R.answers(R.WRITE, { 204: null }, [ADMIN_USER, 404, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await identity.deleteUser(principal(req), req.params.userId, writeOptions(req))),
    );
    app.post(
      '/v1/openstack/users/:userId/application-credentials',
      {
        schema: {
          ...schema,
          summary: 'Create an application credential; the secret is shown only in this answer',
          params: UserParams,
          body: S.AppCredentialCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.AppCredentialCreated) }, [
            ADMIN_USER,
            404,
            [409, 'CREDENTIAL_EXISTS: the user has a credential of this name'],
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await identity.createAppCredential(principal(req), req.params.userId, req.body, writeOptions(req)),
        ),
    );
    app.get(
      '/v1/openstack/users/:userId/application-credentials',
      {
        schema: {
          ...schema,
          params: UserParams,
          response: R.answers(R.READ, { 200: R.List(R.AppCredential) }, [400, 404, 414]),
        },
      },
      async (req) => ({ items: await identity.listAppCredentials(principal(req), req.params.userId) }),
    );
    app.delete(
      '/v1/openstack/users/:userId/application-credentials/:id',
      {
        schema: {
          ...schema,
          params: T.Object({ userId: S.Id, id: S.Id }),
          response: R.answers(R.WRITE, { 204: null }, [404, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await identity.deleteAppCredential(
            principal(req),
            req.params.userId,
            req.params.id,
            writeOptions(req),
          ),
        ),
    );
  };
