// Errors as RFC 9457 problem details: a stable code, the HTTP status, a message naming the
// field and, for validation, every problem with its path. Nothing a client sends yields a 5xx.
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../control/errors.js';
import type { ValidationError } from '../core/validate.js';
import {
  type Dialect,
  type ErrorAnswer,
  frameworkFault,
  type RequestInfo,
  retryAfterHeaders,
  sendAnswer,
} from '../http/dialects.js';

export const PROBLEM_TYPE = 'application/problem+json';

const TITLES = new Map([
  [400, 'Bad Request'],
  [401, 'Unauthorized'],
  [403, 'Forbidden'],
  [404, 'Not Found'],
  [405, 'Method Not Allowed'],
  [408, 'Request Timeout'],
  [409, 'Conflict'],
  [412, 'Precondition Failed'],
  [413, 'Content Too Large'],
  [414, 'URI Too Long'],
  [415, 'Unsupported Media Type'],
  [422, 'Unprocessable Content'],
  [429, 'Too Many Requests'],
  [431, 'Request Header Fields Too Large'],
  [500, 'Internal Server Error'],
  [503, 'Service Unavailable'],
]);

/** The facts of an error a client acts on, as data (RFC 9457 extension member `facts`). */
export interface ProblemFacts {
  resource?: string;
  id?: string;
  quota?: string;
  limit?: number;
  expected?: number;
  actual?: number;
  existingRuleId?: string;
  referencedBy?: string[];
  ports?: string[];
}

/** A ServiceError's facts that are set (a 409's "what uses it", a quota's limit). */
function factsOf(e: ServiceError): ProblemFacts {
  const all: ProblemFacts = {
    resource: e.resource,
    id: e.id,
    quota: e.quota,
    limit: e.limit,
    expected: e.expected,
    actual: e.actual,
    existingRuleId: e.existingRuleId,
    referencedBy: e.referencedBy,
    ports: e.ports,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as ProblemFacts;
}

/** A problem+json answer for the request at `url`. */
export function problemAnswer(
  url: string,
  status: number,
  code: string,
  detail: string,
  errors: ValidationError[] = [],
  headers: Record<string, string> = {},
  facts: ProblemFacts = {},
): ErrorAnswer {
  return {
    status,
    headers: { 'content-type': PROBLEM_TYPE, ...headers },
    body: JSON.stringify({
      type: `https://palisade.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES.get(status) ?? 'Error',
      status,
      code,
      detail,
      instance: url,
      ...(errors.length ? { errors } : {}),
      ...(Object.keys(facts).length ? { facts } : {}),
    }),
  };
}

export function sendProblem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors: ValidationError[] = [],
) {
  return sendAnswer(reply, problemAnswer(req.url, status, code, detail, errors));
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** "/rules/0/ports" in the body → "body.rules[0].ports" */
function fieldPath(context: string, pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), context);
}

export function validationProblems(context: string, errors: AjvError[]): ValidationError[] {
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = fieldPath(context, e.instancePath);
    let message: string;
    let code = 'INVALID_FIELD';
    if (e.keyword === 'required') {
      path = `${path}.${String(e.params.missingProperty)}`;
      code = 'MISSING_FIELD';
      message = `${path} is required`;
    } else if (e.keyword === 'additionalProperties') {
      path = `${path}.${String(e.params.additionalProperty)}`;
      code = 'UNKNOWN_FIELD';
      message = `${path} is not a field of this request`;
    } else {
      message = `${path} ${e.message ?? 'is invalid'}`;
    }
    // A union reports each failed branch; the first problem per field says enough.
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, code, message });
  }
  return out;
}

/** Any error as the native API answers it (never a 5xx for a client's mistake). */
export function nativeAnswer(error: unknown, req: RequestInfo & { log?: FastifyBaseLogger }): ErrorAnswer {
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe?.validation) {
    const errors = validationProblems(fe.validationContext ?? 'body', fe.validation);
    return problemAnswer(
      req.url,
      400,
      errors[0]?.code ?? 'INVALID_REQUEST',
      errors.map((e) => e.message).join('; '),
      errors,
    );
  }
  const e = frameworkFault(error);
  if (e instanceof ServiceError)
    return problemAnswer(req.url, e.status, e.code, e.message, e.errors, retryAfterHeaders(e), factsOf(e));
  req.log?.error({ err: error }, 'request failed');
  return problemAnswer(req.url, 500, 'INTERNAL', 'the server failed to answer; the error is in its log');
}

export function errorHandler(error: unknown, req: FastifyRequest, reply: FastifyReply) {
  return sendAnswer(reply, nativeAnswer(error, req));
}

/** The native API: /v1, its documents and health, and any path no other API serves. */
export const nativeDialect: Dialect = { name: 'native', serves: () => true, answer: nativeAnswer };
