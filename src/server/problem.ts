// Errors as RFC 9457 problem details: a stable code, the HTTP status, a message naming the
// field and, for validation, every problem with its path. Nothing a client sends yields a 5xx.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from '../control/errors.js';
import type { ValidationError } from '../core/validate.js';

export const PROBLEM_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
};

export function sendProblem(
  reply: FastifyReply,
  req: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  errors: ValidationError[] = [],
) {
  return reply
    .code(status)
    .type(PROBLEM_TYPE)
    .send({
      type: `https://palisade.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
      title: TITLES[status] ?? 'Error',
      status,
      code,
      detail,
      instance: req.url,
      ...(errors.length ? { errors } : {}),
    });
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

export function errorHandler(
  error: FastifyError | ServiceError | Error,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof ServiceError)
    return sendProblem(reply, req, error.status, error.code, error.message, error.errors);
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation) {
    const errors = validationProblems(fe.validationContext ?? 'body', fe.validation);
    return sendProblem(
      reply,
      req,
      400,
      errors[0]?.code ?? 'INVALID_REQUEST',
      errors.map((e) => e.message).join('; '),
      errors,
    );
  }
  if (error instanceof SyntaxError || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return sendProblem(
      reply,
      req,
      400,
      'INVALID_JSON',
      `the request body is not valid JSON: ${error.message}`,
    );
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)
    return sendProblem(reply, req, fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message);
  req.log.error({ err: error }, 'request failed');
  return sendProblem(reply, req, 500, 'INTERNAL', 'the server failed to answer; the error is in its log');
}
