// Placeholder until the alibaba front end lands.
import type { FastifyPluginAsync } from 'fastify';
import type { Context } from '../../server/app.js';

export const alibabaApi =
  (_ctx: Context): FastifyPluginAsync =>
  async () => {};
