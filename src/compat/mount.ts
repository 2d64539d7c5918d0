// The compatible front ends: each cloud's API served under its own prefix, as its own Fastify
// plugin (its body parsers, its authentication, its error envelope), every one calling the same
// service layer as the native API. See docs/compat/.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../server/app.js';
import { alibabaApi } from './alibaba/index.js';
import { huaweiApi } from './huawei/index.js';
import { keystoneApi, neutronApi } from './openstack/index.js';

export async function mountCompatApis(app: FastifyInstance, ctx: Context): Promise<void> {
  await app.register(alibabaApi(ctx));
  await app.register(huaweiApi(ctx));
  await app.register(keystoneApi(ctx), { prefix: '/identity' });
  await app.register(neutronApi(ctx), { prefix: '/networking' });
}
