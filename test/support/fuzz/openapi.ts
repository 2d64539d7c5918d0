// The server's OpenAPI document as a fuzz plan: every operation with its path, query and body
// schemas; ajv validators that tell whether a request is one the document allows (so a request
// it forbids must be refused); and the document's responses as a check of each answer.
import AjvModule from 'ajv';
import type { RawResponse } from './http.js';
import type { Check } from './runner.js';
import type { Schema } from './schema.js';

const Ajv = AjvModule.default;

const responseAjv = new Ajv({ strict: false, allErrors: true });
const DOCUMENT = 'openapi.json';

/** A schema taken out of the document, its local references pointed back into the document. */
const withinDocument = (schema: Schema): Schema =>
  JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${DOCUMENT}#/`));

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  /** The path template as the document writes it: /v1/security-groups/{id}. */
  path: string;
  key: string;
  pathParams: Param[];
  queryParams: Param[];
  body?: { schema: Schema; required: boolean };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
  /** The operation's security (an empty list: public). */
  security?: unknown[];
}

export function operationsOf(doc: any): Operation[] {
  // Response schemas refer to the document's components: validate them within the document.
  if (!responseAjv.getSchema(DOCUMENT)) responseAjv.addSchema(doc, DOCUMENT);
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {}))
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(method)) continue;
      const params: Param[] = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => ({
        name: p.name,
        in: p.in,
        required: p.required === true,
        schema: p.schema ?? {},
      }));
      const content = op.requestBody?.content ?? {};
      const json = content['application/json'] ?? Object.values<any>(content)[0];
      out.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: json?.schema ? { schema: json.schema, required: op.requestBody.required === true } : undefined,
        responses: op.responses ?? {},
        security: op.security,
      });
    }
  return out;
}

const options = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false } as const;
/** As the server validates: bodies as sent, query strings and path parameters coerced from text. */
const bodyAjv = new Ajv({ ...options, coerceTypes: false });
const textAjv = new Ajv({ ...options, coerceTypes: 'array' });
const cache = new WeakMap<object, (v: unknown) => boolean>();

function validator(ajv: InstanceType<typeof Ajv>, schema: Schema): (v: unknown) => boolean {
  let v = cache.get(schema);
  if (!v) {
    const compiled = ajv.compile(schema);
    v = (x: unknown) => compiled(x) as boolean;
    cache.set(schema, v);
  }
  return v;
}

/** Whether the JSON body text is one the operation's schema accepts (an absent body: only if optional). */
export function bodyAllowed(op: Operation, text: string | undefined): boolean {
  if (!op.body) return true;
  if (text === undefined || text.trim() === '') return !op.body.required;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  try {
    return validator(bodyAjv, op.body.schema)(value);
  } catch {
    return false; // too deep for the validator: not something the document promises to take
  }
}

function paramsSchema(params: Param[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}
const paramSchemas = new WeakMap<Operation, { query: Schema; path: Schema }>();

/** Whether the decoded query (repeated keys as arrays) and path parameters are allowed. */
export function paramsAllowed(
  op: Operation,
  query: Record<string, string | string[]>,
  path: Record<string, string>,
): boolean {
  let s = paramSchemas.get(op);
  if (!s) {
    s = { query: paramsSchema(op.queryParams), path: paramsSchema(op.pathParams) };
    paramSchemas.set(op, s);
  }
  const copy = (o: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o))
      Object.defineProperty(out, k, { value: o[k], enumerable: true, writable: true });
    return out;
  };
  return validator(textAjv, s.query)(copy(query)) && validator(textAjv, s.path)(copy(path));
}

const responseValidators = new WeakMap<object, ReturnType<InstanceType<typeof Ajv>['compile']>>();

/** fastify-swagger's placeholder when a route declares no responses: documents nothing. */
function documentsResponses(op: Operation): boolean {
  const entries = Object.entries(op.responses);
  return entries.some(([code, r]) => !(code === '200' && r.description === 'Default Response' && !r.content));
}

function statusDocumented(op: Operation, status: number): string | undefined {
  const codes = Object.keys(op.responses);
  if (codes.includes(String(status))) return String(status);
  const range = `${String(status)[0]}XX`;
  if (codes.includes(range)) return range;
  if (codes.includes('default')) return 'default';
  return undefined;
}

/**
 * The document's promises about answers: when it lists responses, the status is one of them,
 * and a body with a documented schema matches it.
 */
export function documentedResponse(op: Operation): Check {
  return (res: RawResponse) => {
    if (!documentsResponses(op)) return [];
    const code = statusDocumented(op, res.status);
    if (!code)
      return [
        `status ${res.status} is not among the documented responses (${Object.keys(op.responses).join(', ')})`,
      ];
    const content = op.responses[code].content;
    if (!content || res.status === 204) return [];
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const media = content[type] ?? content['application/json'] ?? Object.values(content)[0];
    // A stream (text/event-stream) has no JSON body to check: its schema describes its events.
    if (!media?.schema || type === 'text/event-stream') return [];
    let ok: boolean;
    let errors = '';
    try {
      let compiled = responseValidators.get(media.schema);
      if (!compiled) {
        compiled = responseAjv.compile(withinDocument(media.schema));
        responseValidators.set(media.schema, compiled);
      }
      ok = compiled(res.json) as boolean;
      errors = responseAjv.errorsText(compiled.errors);
    } catch (e) {
      return [`the documented schema of response ${code} does not compile: ${(e as Error).message}`];
    }
    return ok
      ? []
      : [`the ${res.status} body does not match the documented schema of response ${code}: ${errors}`];
  };
}
