// A client of the native API that signs every request: the CLI, the tests, the benchmarks
// and (next) the host agent use it. Uses Node's fetch (undici) with keep-alive.
import { signRequest } from '../control/auth/signing.js';

export type Credentials = { keyId: string; secret: string } | { token: string };

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: { path: string; code: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${problem.code}: ${problem.detail}`);
  }
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** The media type of a write's answer when it was sent with ?preview=true (the server's http/requests.ts). */
export const PREVIEW_MEDIA_TYPE = 'application/vnd.palisade.preview+json';

export class PalisadeClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
  ) {}

  /** Send a request; answers of 400 and above throw ApiError unless `raw` is set. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; raw?: boolean } = {},
  ): Promise<ApiResponse<T>> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = { ...this.auth(method, path, text), ...options.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : text,
    });
    const payload = res.status === 204 ? null : await res.text();
    const parsed = payload ? (JSON.parse(payload) as unknown) : null;
    if (res.status >= 400 && !options.raw) throw new ApiError(res.status, parsed as Problem);
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = unknown>(path: string) {
    return this.request<T>('GET', path).then((r) => r.body);
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, { headers }).then((r) => r.body);
  }
  patch<T = unknown>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, { headers }).then((r) => r.body);
  }
  put<T = unknown>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body).then((r) => r.body);
  }
  delete(path: string, headers?: Record<string, string>) {
    return this.request('DELETE', path, undefined, { headers }).then(() => undefined);
  }

  /** The headers that authenticate one request. */
  auth(method: string, path: string, body: string): Record<string, string> {
    if ('token' in this.credentials) return { authorization: `Bearer ${this.credentials.token}` };
    return signRequest({ id: this.credentials.keyId, secret: this.credentials.secret }, method, path, body);
  }
}

/** A write sent for a preview was answered as a write: the server may have applied it. */
export class NotPreviewedError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
  ) {
    super(`${method} ${path} was answered ${status} without a preview: the server may have applied it`);
  }
}

/**
 * A client whose writes are change previews: every request but a GET is sent with ?preview=true,
 * so the server decides it as for real and stores nothing, and each answer (a Preview) is kept in
 * `previews`. An answer of another media type means the server did not preview the write.
 */
export class PreviewingClient extends PalisadeClient {
  readonly previews: unknown[] = [];

  override async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; raw?: boolean } = {},
  ): Promise<ApiResponse<T>> {
    if (method.toUpperCase() === 'GET') return super.request<T>(method, path, body, options);
    const url = new URL(path, 'http://palisade');
    url.searchParams.set('preview', 'true');
    const res = await super.request<T>(method, url.pathname + url.search, body, options);
    if (res.status >= 400) return res;
    if (!res.headers.get('content-type')?.startsWith(PREVIEW_MEDIA_TYPE))
      throw new NotPreviewedError(method, path, res.status);
    this.previews.push(res.body);
    return res;
  }
}
