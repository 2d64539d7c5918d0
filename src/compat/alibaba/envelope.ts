// Responses as the ECS API sends them: JSON by default, XML when Format=XML, a RequestId in
// every answer; errors as `{RequestId, HostId, Code, Message, Recommend}` or `<Error>`.
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { ErrorAnswer } from '../../http/dialects.js';
import type { AliError } from './errors.js';

export type Format = 'JSON' | 'XML';

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * One element as ECS writes it: objects nest, an array repeats its element name
 * (`SecurityGroups: {SecurityGroup: [a, b]}` → `<SecurityGroups><SecurityGroup>…</SecurityGroup>
 * <SecurityGroup>…</SecurityGroup></SecurityGroups>`), scalars are text. (Written here rather
 * than with fast-xml-parser, which is a development dependency only.)
 */
export function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join('');
  if (value === null || value === undefined) return `<${name}></${name}>`;
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => toXml(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export const newRequestId = () => randomUUID().toUpperCase();

/** The response format a request asks for (Format=XML|JSON, any case; default JSON). */
export function formatOf(value: string | undefined): Format {
  return value?.toUpperCase() === 'XML' ? 'XML' : 'JSON';
}

function render(format: Format, root: string, body: Record<string, unknown>): string {
  if (format === 'JSON') return JSON.stringify(body);
  return `<?xml version="1.0" encoding="UTF-8"?>${toXml(root, body)}`;
}

const contentType = (format: Format) =>
  format === 'XML' ? 'text/xml;charset=utf-8' : 'application/json;charset=utf-8';

function send(reply: FastifyReply, format: Format, status: number, payload: string, requestId: string) {
  return reply.code(status).header('x-acs-request-id', requestId).type(contentType(format)).send(payload);
}

export function sendResult(
  reply: FastifyReply,
  format: Format,
  action: string,
  requestId: string,
  body: Record<string, unknown>,
) {
  return send(
    reply,
    format,
    200,
    render(format, `${action}Response`, { RequestId: requestId, ...body }),
    requestId,
  );
}

/** An ECS error answer: `{RequestId, HostId, Code, Message, Recommend}` (or `<Error>`). */
export function errorAnswer(
  format: Format,
  requestId: string,
  host: string,
  e: AliError,
  headers: Record<string, string> = {},
): ErrorAnswer {
  const body = {
    RequestId: requestId,
    HostId: host,
    Code: e.code,
    Message: e.message,
    Recommend: `See docs/compat/alibaba.md of Palisade for the supported actions and parameters (error ${e.code}).`,
  };
  return {
    status: e.status,
    headers: { 'content-type': contentType(format), 'x-acs-request-id': requestId, ...headers },
    body: render(format, 'Error', body),
  };
}
