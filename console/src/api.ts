// The native API (/v1, documented at /openapi.json) as the console uses it: a bearer token from
// POST /v1/tokens on every request, problem+json errors turned into ApiError.

/** The signed-in session: what POST /v1/tokens answered. */
export interface Session {
  token: string;
  expiresAt: string;
  // admin: the operator's key.
  role: 'admin' | 'tenant';
  tenantId: string | null;
}

/** One problem of a refused request: `path` names the field as sent ("body.ports", "query.limit"). */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/** An answer other than 2xx, with the problem's code, message and field problems as the server gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: FieldProblem[] = [],
    /** The problem's facts as data (what keeps a group from being deleted, a quota's limit). */
    readonly facts: ProblemFacts = {},
  ) {
    super(message);
  }

  /** The problems about the body field `field` (a top-level name, or a path below it). */
  about(field: string): FieldProblem[] {
    const path = `body.${field}`;
    return this.problems.filter(
      (p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`),
    );
  }
}

/** The facts a problem carries (docs/api.md, "Errors"). */
export interface ProblemFacts {
  resource?: string;
  id?: string;
  quota?: string;
  limit?: number;
  /** GROUP_REFERENCED: the groups whose rules name the group. */
  referencedBy?: string[];
  /** GROUP_IN_USE: the member ports. */
  ports?: string[];
}

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: FieldProblem[];
  facts?: ProblemFacts;
}

async function problemOf(res: Response): Promise<ApiError> {
  let problem: Problem = {};
  try {
    problem = (await res.json()) as Problem;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  return new ApiError(
    res.status,
    problem.code ?? 'HTTP_ERROR',
    problem.detail ?? problem.title ?? res.statusText,
    Array.isArray(problem.errors) ? problem.errors : [],
    problem.facts && typeof problem.facts === 'object' ? problem.facts : {},
  );
}

async function call<T>(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    // The token travels in the Authorization header only: no cookie is sent or kept.
    credentials: 'omit',
    signal,
  });
  if (!res.ok) throw await problemOf(res);
  // 204 (a delete) has no body.
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Sign-out: the server revokes the token, so no copy of it outlives the session. */
export async function signOut(session: Session): Promise<void> {
  await fetch('/v1/tokens/current', {
    method: 'DELETE',
    headers: { authorization: `Bearer ${session.token}` },
    credentials: 'omit',
  });
}

export function signIn(accessKeyId: string, accessKeySecret: string): Promise<Session> {
  return call<Session>('POST', '/v1/tokens', null, { accessKeyId, accessKeySecret });
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Region {
  id: string;
  name?: string;
  profile: string;
}

export interface Tenant {
  id: string;
  name: string;
  description?: string;
}

export interface Group {
  id: string;
  tenantId: string;
  regionId: string;
  vpcId: string | null;
  name: string;
  description?: string;
  type: string;
  stateful: boolean;
  ruleCount: number;
  memberCount: number;
}

export interface PortRange {
  from: number;
  to: number;
}

export interface Rule {
  id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string;
  ports?: PortRange[];
  icmpType?: number;
  icmpCode?: number;
  action: 'allow' | 'deny';
  priority: number;
  remoteIpPrefix?: string;
  remoteGroup?: string;
  remoteAddressGroup?: string;
  description?: string;
  position: number;
}

export interface GroupWithRules extends Group {
  rules: Rule[];
}

/**
 * The native API bound to one session's token: `get`, `post`, `patch`, `put` and `delete` of a
 * path under /v1 (build query strings with `query`), and the typed reads the pages share.
 * A page's own calls live with the page (`api.post<Answer>(...)`), typed by the page.
 */
export function client(session: Session) {
  const get = <T>(path: string, signal?: AbortSignal) =>
    call<T>('GET', path, session.token, undefined, signal);
  return {
    session,
    get,
    post: <T>(path: string, body?: unknown) => call<T>('POST', path, session.token, body ?? {}),
    patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, session.token, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, session.token, body),
    delete: <T = void>(path: string) => call<T>('DELETE', path, session.token),
    /** The raw answer of a streaming read (the change stream), for its body's reader. */
    stream: (path: string, signal: AbortSignal) =>
      fetch(path, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${session.token}` },
        credentials: 'omit',
        signal,
      }),
    regions: () => get<{ items: Region[] }>('/v1/regions'),
    tenants: (cursor?: string) => get<Page<Tenant>>(`/v1/tenants${query({ cursor, limit: '50' })}`),
    groups: (filter: {
      regionId?: string;
      vpcId?: string;
      name?: string;
      type?: string;
      cursor?: string;
      limit: number;
    }) => get<Page<Group>>(`/v1/security-groups${query({ ...filter, limit: String(filter.limit) })}`),
    group: (id: string) => get<GroupWithRules>(`/v1/security-groups/${encodeURIComponent(id)}`),
  };
}

export type Client = ReturnType<typeof client>;

/** Whatever a call threw, as an Error (fetch rejects with TypeError; anything else is wrapped). */
export const asError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(String(thrown));

/** A path segment from an id (ids are the API's; encoded all the same). */
export const seg = (id: string) => encodeURIComponent(id);

/** A query string of the parameters that are set. */
export function query(params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}
