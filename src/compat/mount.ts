// The compatible front ends: each cloud's API served under its own prefix, as its own Fastify
// plugin (its body parsers, its authentication, its error envelope), every one calling the same
// service layer as the native API. See docs/compat/.
import type { FastifyInstance } from 'fastify';
import type { Context } from '../http/context.js';
import type { Dialect } from '../http/dialects.js';
import { alibabaApi, alibabaDialect } from './alibaba/index.js';
import { huaweiDialect } from './huawei/errors.js';
import { huaweiApi } from './huawei/index.js';
import { keystoneDialect, neutronDialect } from './openstack/errors.js';
import { keystoneApi, neutronApi } from './openstack/index.js';

/** The clouds' dialects, by the URL space each serves (the native API takes the rest). */
export const COMPAT_DIALECTS: Dialect[] = [keystoneDialect, neutronDialect, huaweiDialect, alibabaDialect];

export async function mountCompatApis(app: FastifyInstance, ctx: Context): Promise<void> {
  await app.register(alibabaApi(ctx));
  await app.register(huaweiApi(ctx));
  await app.register(keystoneApi(ctx), { prefix: '/identity' });
  await app.register(neutronApi(ctx), { prefix: '/networking' });
}
