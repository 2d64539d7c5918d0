// Placeholder until the huawei front end lands.
import type { FastifyPluginAsync } from 'fastify';
import type { Context } from '../../server/app.js';

export const huaweiApi =
  (_ctx: Context): FastifyPluginAsync =>
  async () => {};
