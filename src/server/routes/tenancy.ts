// Tenants, access keys and tokens, regions, VPCs, templates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import * as ops from '../../control/ops/tenancy.js';
import { TEMPLATES } from '../../core/profiles.js';
import { principal, sendObject, sendWrite, writeOptions } from '../http.js';
import * as S from '../schemas.js';
import type { Context } from '../app.js';

export const tenancyRoutes =
  (ctx: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { svc, keys } = ctx;
    const tags = (t: string) => ({ tags: [t] });

    app.post(
      '/v1/tenants',
      { schema: { ...tags('tenants'), summary: 'Create a tenant (operator)', body: S.TenantCreate } },
      async (req, reply) =>
        sendWrite(reply, await ops.createTenant(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/tenants',
      { schema: { ...tags('tenants'), querystring: T.Object(S.PageQuery) } },
      async (req) => ops.listTenants(svc, principal(req), req.query.cursor, req.query.limit),
    );
    app.get('/v1/tenants/:id', { schema: { ...tags('tenants'), params: S.IdParams } }, async (req, reply) =>
      sendObject(reply, ops.getTenant(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/tenants/:id',
      { schema: { ...tags('tenants'), params: S.IdParams, body: S.TenantPatch } },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.updateTenant(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/tenants/:id',
      { schema: { ...tags('tenants'), params: S.IdParams } },
      async (req, reply) =>
        sendWrite(reply, await ops.deleteTenant(svc, principal(req), req.params.id, writeOptions(req))),
    );

    app.post(
      '/v1/access-keys',
      {
        schema: {
          ...tags('auth'),
          summary: 'Create an access key; the secret is shown only in this answer',
          body: S.KeyCreate,
        },
      },
      async (req, reply) => sendWrite(reply, await keys.create(principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/access-keys',
      { schema: { ...tags('auth'), querystring: T.Object({ tenantId: T.Optional(T.String()) }) } },
      async (req) => ({
        items: await keys.list(principal(req), req.query.tenantId),
      }),
    );
    app.delete(
      '/v1/access-keys/:id',
      { schema: { ...tags('auth'), params: S.IdParams } },
      async (req, reply) =>
        sendWrite(reply, await keys.delete(principal(req), req.params.id, writeOptions(req))),
    );
    app.post(
      '/v1/tokens',
      {
        config: { public: true },
        schema: {
          ...tags('auth'),
          summary: 'Exchange an access key for a bearer token (console login)',
          body: S.TokenCreate,
        },
      },
      async (req, reply) => {
        const {
          token,
          expiresAt,
          principal: who,
        } = await keys.issueToken(req.ip, req.body.accessKeyId, req.body.accessKeySecret);
        return reply
          .code(201)
          .send({ token, expiresAt, role: who.role, tenantId: who.role === 'tenant' ? who.tenantId : null });
      },
    );
    app.get('/v1/whoami', { schema: tags('auth') }, async (req) => principal(req));

    app.post(
      '/v1/regions',
      { schema: { ...tags('regions'), summary: 'Create a region (operator)', body: S.RegionCreate } },
      async (req, reply) =>
        sendWrite(reply, await ops.createRegion(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get('/v1/regions', { schema: tags('regions') }, async (req) => ops.listRegions(svc, principal(req)));
    app.get('/v1/regions/:id', { schema: { ...tags('regions'), params: S.IdParams } }, async (req, reply) =>
      sendObject(reply, ops.getRegion(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/regions/:id',
      {
        schema: {
          ...tags('regions'),
          summary: 'Change quotas or conntrack timeouts (operator)',
          params: S.IdParams,
          body: S.RegionPatch,
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.updateRegion(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/regions/:id',
      { schema: { ...tags('regions'), params: S.IdParams } },
      async (req, reply) =>
        sendWrite(reply, await ops.deleteRegion(svc, principal(req), req.params.id, writeOptions(req))),
    );

    app.post('/v1/vpcs', { schema: { ...tags('vpcs'), body: S.VpcCreate } }, async (req, reply) =>
      sendWrite(reply, await ops.createVpc(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get('/v1/vpcs', { schema: { ...tags('vpcs'), querystring: S.RegionQuery } }, async (req) =>
      ops.listVpcs(svc, principal(req), req.query),
    );
    app.get('/v1/vpcs/:id', { schema: { ...tags('vpcs'), params: S.IdParams } }, async (req, reply) =>
      sendObject(reply, ops.getVpc(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/vpcs/:id',
      { schema: { ...tags('vpcs'), params: S.IdParams, body: S.VpcPatch } },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.updateVpc(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete('/v1/vpcs/:id', { schema: { ...tags('vpcs'), params: S.IdParams } }, async (req, reply) =>
      sendWrite(reply, await ops.deleteVpc(svc, principal(req), req.params.id, writeOptions(req))),
    );

    app.get(
      '/v1/templates',
      { schema: { ...tags('security groups'), summary: 'Rule templates per profile' } },
      async () => ({ items: TEMPLATES }),
    );
  };
