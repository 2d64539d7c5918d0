// The error envelope of each API, checked precisely: the content type, the required fields with
// their types, and what ties the body to the answer (status in the body, request id headers).
// Each checker returns its problems ([] = a proper error answer of that API).
import { XMLParser } from 'fast-xml-parser';
import type { RawRequest, RawResponse } from './http.js';
import type { Check } from './runner.js';

const contentType = (res: RawResponse) => String(res.headers['content-type'] ?? '');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fields(
  where: string,
  o: Record<string, unknown>,
  spec: Record<string, 'string' | 'number' | 'nonempty' | 'string?' | 'array?'>,
): string[] {
  const out: string[] = [];
  for (const [k, kind] of Object.entries(spec)) {
    const v = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
    if (kind === 'string?' && v !== undefined && typeof v !== 'string')
      out.push(`${where}.${k} is ${typeof v}, not a string`);
    else if (kind === 'array?' && v !== undefined && !Array.isArray(v))
      out.push(`${where}.${k} is ${typeof v}, not an array`);
    else if ((kind === 'string' || kind === 'nonempty') && typeof v !== 'string')
      out.push(`${where}.${k} is ${v === undefined ? 'missing' : typeof v}, not a string`);
    else if (kind === 'nonempty' && v === '') out.push(`${where}.${k} is empty`);
    else if (kind === 'number' && typeof v !== 'number')
      out.push(`${where}.${k} is ${v === undefined ? 'missing' : typeof v}, not a number`);
  }
  return out;
}

const noBody = (req: RawRequest) => req.method === 'HEAD';

/** Native API: RFC 9457 application/problem+json {type,title,status,code,detail,instance,errors?}. */
export const problemJson: Check = (res, req) => {
  if (!contentType(res).startsWith('application/problem+json'))
    return [`content-type is "${contentType(res)}", not application/problem+json`];
  if (noBody(req)) return [];
  const b = res.json;
  if (!isObject(b)) return ['the body is not a JSON object'];
  const out = fields('body', b, {
    type: 'nonempty',
    title: 'nonempty',
    status: 'number',
    code: 'nonempty',
    detail: 'string',
    instance: 'string',
    errors: 'array?',
  });
  if (typeof b.status === 'number' && b.status !== res.status)
    out.push(`body.status is ${b.status}, the HTTP status ${res.status}`);
  if (typeof b.code === 'string' && !/^[A-Z][A-Z0-9_]*$/.test(b.code))
    out.push(`body.code "${b.code.slice(0, 80)}" is not an UPPER_SNAKE problem code`);
  if (Array.isArray(b.errors))
    b.errors.forEach((e, i) => {
      if (!isObject(e)) out.push(`body.errors[${i}] is not an object`);
      else
        out.push(...fields(`body.errors[${i}]`, e, { path: 'string', code: 'nonempty', message: 'string' }));
    });
  return out;
};

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });
const ALI_FIELDS = {
  RequestId: 'nonempty',
  HostId: 'string',
  Code: 'nonempty',
  Message: 'string',
  Recommend: 'string',
} as const;

/**
 * Alibaba ECS: {RequestId, HostId, Code, Message, Recommend} in JSON (application/json), or with
 * Format=XML an <Error> document (text/xml); the RequestId also in x-acs-request-id.
 * `format` 'either' for requests whose parameters cannot be read (so Format is unknown).
 */
export function alibabaError(format: 'JSON' | 'XML' | 'either'): Check {
  return (res, req) => {
    const type = contentType(res);
    const isXml = type.startsWith('text/xml');
    const isJson = type.startsWith('application/json');
    if (format === 'XML' && !isXml) return [`content-type is "${type}", not text/xml (Format=XML was asked)`];
    if (format === 'JSON' && !isJson) return [`content-type is "${type}", not application/json`];
    if (!isXml && !isJson) return [`content-type is "${type}", neither application/json nor text/xml`];
    if (noBody(req)) return [];
    let body: unknown;
    if (isXml) {
      try {
        const doc = xml.parse(res.text) as Record<string, unknown>;
        if (!isObject(doc.Error)) return ['the XML body has no <Error> root'];
        body = doc.Error;
      } catch (e) {
        return [`the XML body does not parse: ${(e as Error).message}`];
      }
    } else body = res.json;
    if (!isObject(body)) return ['the body is not a JSON object'];
    const out = fields(isXml ? '<Error>' : 'body', body, ALI_FIELDS);
    const header = res.headers['x-acs-request-id'];
    if (typeof body.RequestId === 'string' && header !== body.RequestId)
      out.push(`x-acs-request-id "${String(header)}" differs from RequestId "${body.RequestId}"`);
    if (typeof body.Code === 'string' && !/^[A-Za-z][A-Za-z0-9.]*$/.test(body.Code))
      out.push(`Code "${body.Code.slice(0, 80)}" is not an ECS error code`);
    return out;
  };
}

/** Huawei VPC v3 (and its API gateway): {request_id?, error_code, error_msg}, application/json. */
export const huaweiError: Check = (res, req) => {
  const type = contentType(res);
  if (!type.startsWith('application/json')) return [`content-type is "${type}", not application/json`];
  if (noBody(req)) return [];
  const b = res.json;
  if (!isObject(b)) return ['the body is not a JSON object'];
  const out = fields('body', b, { request_id: 'string?', error_code: 'nonempty', error_msg: 'string' });
  if (typeof b.error_code === 'string' && !/^[A-Z]+\.\d{4}$/.test(b.error_code))
    out.push(`error_code "${b.error_code.slice(0, 80)}" is not a Huawei code such as VPC.9901`);
  if (typeof b.request_id === 'string' && res.headers['x-request-id'] !== b.request_id)
    out.push(`X-Request-Id "${String(res.headers['x-request-id'])}" differs from request_id`);
  return out;
};

/** Keystone: {"error": {code, title, message}} with code = the HTTP status, application/json. */
export const keystoneError: Check = (res, req) => {
  const type = contentType(res);
  if (!type.startsWith('application/json')) return [`content-type is "${type}", not application/json`];
  if (noBody(req)) return [];
  const b = res.json;
  if (!isObject(b) || !isObject(b.error)) return ['the body is not {"error": {...}}'];
  const out = fields('body.error', b.error, { code: 'number', title: 'nonempty', message: 'string' });
  if (typeof b.error.code === 'number' && b.error.code !== res.status)
    out.push(`body.error.code is ${b.error.code}, the HTTP status ${res.status}`);
  return out;
};

/**
 * Neutron: {"NeutronError": {type, message, detail}}, application/json; a 401 is
 * keystonemiddleware's {"error": {...}} with WWW-Authenticate: Keystone uri=...
 */
export const neutronError: Check = (res, req) => {
  if (res.status === 401) {
    const out = keystoneError(res, req);
    const auth = String(res.headers['www-authenticate'] ?? '');
    if (!auth.startsWith('Keystone uri='))
      out.push(`a 401 without WWW-Authenticate: Keystone uri=... ("${auth}")`);
    return out;
  }
  const type = contentType(res);
  if (!type.startsWith('application/json')) return [`content-type is "${type}", not application/json`];
  if (noBody(req)) return [];
  const b = res.json;
  if (!isObject(b) || !isObject(b.NeutronError)) return ['the body is not {"NeutronError": {...}}'];
  const out = fields('body.NeutronError', b.NeutronError, {
    type: 'nonempty',
    message: 'string',
    detail: 'string',
  });
  return out;
};

/** The envelope of whichever API serves a path of the server (for documents listing several). */
export function envelopeForPath(path: string): Check {
  if (path.startsWith('/v3/')) return huaweiError;
  if (path.startsWith('/identity')) return keystoneError;
  if (path.startsWith('/networking')) return neutronError;
  return problemJson;
}
