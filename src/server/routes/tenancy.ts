// Tenants, access keys and tokens, regions, VPCs, templates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type as T } from '@sinclair/typebox';
import * as ops from '../../control/ops/tenancy.js';
import type { Quotas } from '../../core/model.js';
import { TEMPLATES } from '../../core/profiles.js';
import { principal, sendObject, sendWrite, writeOptions } from '../../http/requests.js';
import { QuotasSchema } from '../../policy/schema.js';
import * as R from '../responses.js';
import * as S from '../schemas.js';
import type { Context } from '../../http/context.js';

export const tenancyRoutes =
  (ctx: Context): FastifyPluginAsyncTypebox =>
  async (app) => {
    const { svc, keys } = ctx;
    const tags = (t: string) => ({ tags: [t] });

    app.post(
      '/v1/tenants',
      {
        schema: {
          ...tags('tenants'),
          summary: 'Create a tenant (operator)',
          body: S.TenantCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.Tenant) }, [
            403,
            [409, 'ALREADY_EXISTS: a tenant has this id'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ops.createTenant(svc, principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/tenants',
      {
        schema: {
          ...tags('tenants'),
          querystring: T.Object(S.PageQuery),
          response: R.answers(R.READ, { 200: R.Page(R.Tenant) }, [400, 403]),
        },
      },
      async (req) => ops.listTenants(svc, principal(req), req.query.cursor, req.query.limit),
    );
    const getTenant = {
      ...tags('tenants'),
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.Tenant) }, [400, 403, 404, 414]),
    };
    app.get('/v1/tenants/:id', { schema: getTenant }, async (req, reply) =>
      sendObject(reply, ops.getTenant(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/tenants/:id',
      {
        schema: {
          ...tags('tenants'),
          params: S.IdParams,
          body: S.TenantPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Tenant) }, [403, 404, 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.updateTenant(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    app.delete(
      '/v1/tenants/:id',
      {
        schema: {
          ...tags('tenants'),
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            403,
            404,
            [409, 'TENANT_IN_USE: the tenant still owns objects'],
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ops.deleteTenant(svc, principal(req), req.params.id, writeOptions(req))),
    );

    // A tenant's overrides of one region's quotas (what Neutron's quota calls set too).
    const tenantQuotas = {
      ...tags('tenants'),
      params: T.Object({ id: S.Id, regionId: S.Id }),
    };
    app.put(
      '/v1/tenants/:id/quotas/:regionId',
      {
        schema: {
          ...tenantQuotas,
          summary: "Override a region's quotas for one tenant (operator); merged into its overrides there",
          body: QuotasSchema,
          response: R.answers(R.WRITE, { 200: R.One(R.Tenant) }, [403, 404, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.setTenantQuotas(
            svc,
            principal(req),
            { tenantId: req.params.id, regionId: req.params.regionId, quotas: req.body as Partial<Quotas> },
            writeOptions(req),
          ),
        ),
    );
    app.delete(
      '/v1/tenants/:id/quotas/:regionId',
      {
        schema: {
          ...tenantQuotas,
          summary: "Drop a tenant's overrides of a region's quotas (operator): the region's bind it again",
          response: R.answers(R.WRITE, { 200: R.One(R.Tenant) }, [403, 404, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.setTenantQuotas(
            svc,
            principal(req),
            { tenantId: req.params.id, regionId: req.params.regionId, quotas: null },
            writeOptions(req),
          ),
        ),
    );

    app.post(
      '/v1/access-keys',
      {
        schema: {
          ...tags('auth'),
          summary: 'Create an access key; the secret is shown only in this answer',
          body: S.KeyCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.AccessKeyCreated) }, [
            [403, 'an operator key needs an operator; a tenant key creates keys for its own tenant'],
            404,
          ]),
        },
      },
      async (req, reply) => sendWrite(reply, await keys.create(principal(req), req.body, writeOptions(req))),
    );
    app.get(
      '/v1/access-keys',
      {
        schema: {
          ...tags('auth'),
          querystring: T.Object({ tenantId: T.Optional(T.String()) }),
          response: R.answers(R.READ, { 200: R.List(R.AccessKey) }, [400]),
        },
      },
      async (req) => ({
        items: await keys.list(principal(req), req.query.tenantId),
      }),
    );
    app.delete(
      '/v1/access-keys/:id',
      {
        schema: {
          ...tags('auth'),
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            [403, 'only an operator deletes an operator key'],
            404,
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await keys.delete(principal(req), req.params.id, writeOptions(req))),
    );
    app.post(
      '/v1/tokens',
      {
        config: { public: true, read: true },
        schema: {
          ...tags('auth'),
          summary: 'Exchange an access key for a bearer token (console login)',
          body: S.TokenCreate,
          security: [],
          response: R.answers(R.LOGIN, { 201: R.TokenIssued }, [
            [401, 'INVALID_CREDENTIALS: the access key id or secret is wrong'],
          ]),
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
    app.delete(
      '/v1/tokens/current',
      {
        // Tokens are credentials, not part of the world: no revision to answer.
        config: { read: true },
        schema: {
          ...tags('auth'),
          summary: 'Sign out: revoke the bearer token this request is sent with (console logout)',
          response: R.answers(R.QUERY, { 204: null }, [
            [400, 'INVALID_FIELD: the request was signed with an access key, not sent with a bearer token'],
          ]),
        },
      },
      async (req, reply) => {
        await keys.revokeToken(req.headers.authorization);
        return reply.code(204).send();
      },
    );
    const whoami = { ...tags('auth'), response: R.answers(R.READ, { 200: R.One(R.Principal) }) };
    app.get('/v1/whoami', { schema: whoami }, async (req) => principal(req));

    app.post(
      '/v1/regions',
      {
        schema: {
          ...tags('regions'),
          summary: 'Create a region (operator)',
          body: S.RegionCreate,
          response: R.answers(R.WRITE, { 201: R.One(R.Region) }, [
            403,
            [409, 'ALREADY_EXISTS: a region has this id'],
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ops.createRegion(svc, principal(req), req.body, writeOptions(req))),
    );
    const listRegions = { ...tags('regions'), response: R.answers(R.READ, { 200: R.List(R.Region) }) };
    app.get('/v1/regions', { schema: listRegions }, async (req) => ops.listRegions(svc, principal(req)));
    const getRegion = {
      ...tags('regions'),
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.Region) }, [400, 404, 414]),
    };
    app.get('/v1/regions/:id', { schema: getRegion }, async (req, reply) =>
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
          response: R.answers(R.WRITE, { 200: R.One(R.Region) }, [403, 404, 412, 414]),
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
      {
        schema: {
          ...tags('regions'),
          params: S.IdParams,
          response: R.answers(R.WRITE, { 204: null }, [
            403,
            404,
            [409, 'REGION_IN_USE: the region still holds objects'],
            414,
          ]),
        },
      },
      async (req, reply) =>
        sendWrite(reply, await ops.deleteRegion(svc, principal(req), req.params.id, writeOptions(req))),
    );

    const createVpc = {
      ...tags('vpcs'),
      body: S.VpcCreate,
      response: R.answers(R.WRITE, { 201: R.One(R.Vpc) }, [403]),
    };
    app.post('/v1/vpcs', { schema: createVpc }, async (req, reply) =>
      sendWrite(reply, await ops.createVpc(svc, principal(req), req.body, writeOptions(req))),
    );
    const listVpcs = {
      ...tags('vpcs'),
      querystring: S.RegionQuery,
      response: R.answers(R.READ, { 200: R.Page(R.Vpc) }, [400]),
    };
    app.get('/v1/vpcs', { schema: listVpcs }, async (req) => ops.listVpcs(svc, principal(req), req.query));
    const getVpc = {
      ...tags('vpcs'),
      params: S.IdParams,
      response: R.answers(R.READ_ONE, { 200: R.One(R.Vpc) }, [400, 404, 414]),
    };
    app.get('/v1/vpcs/:id', { schema: getVpc }, async (req, reply) =>
      sendObject(reply, ops.getVpc(svc, principal(req), req.params.id)),
    );
    app.patch(
      '/v1/vpcs/:id',
      {
        schema: {
          ...tags('vpcs'),
          params: S.IdParams,
          body: S.VpcPatch,
          response: R.answers(R.WRITE, { 200: R.One(R.Vpc) }, [404, 412, 414]),
        },
      },
      async (req, reply) =>
        sendWrite(
          reply,
          await ops.updateVpc(svc, principal(req), req.params.id, req.body, writeOptions(req)),
        ),
    );
    const deleteVpc = {
      ...tags('vpcs'),
      params: S.IdParams,
      response: R.answers(R.WRITE, { 204: null }, [
        404,
        [409, 'VPC_IN_USE: groups or instances are in the VPC'],
        412,
        414,
      ]),
    };
    app.delete('/v1/vpcs/:id', { schema: deleteVpc }, async (req, reply) =>
      sendWrite(reply, await ops.deleteVpc(svc, principal(req), req.params.id, writeOptions(req))),
    );

    app.get(
      '/v1/templates',
      {
        schema: {
          ...tags('security groups'),
          summary: 'Rule templates per profile',
          response: R.answers(R.READ, { 200: R.List(R.Template) }),
        },
      },
      async () => ({ items: TEMPLATES }),
    );
  };
