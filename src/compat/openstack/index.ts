// Placeholder until the OpenStack front ends land.
import type { FastifyPluginAsync } from 'fastify';
import type { Context } from '../../server/app.js';

export const keystoneApi =
  (_ctx: Context): FastifyPluginAsync =>
  async () => {};
export const neutronApi =
  (_ctx: Context): FastifyPluginAsync =>
  async () => {};
