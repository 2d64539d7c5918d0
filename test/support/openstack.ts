// The OpenStack side of the compat tests: a tenant with an OpenStack user in an openstack-profile
// region, Keystone logins over HTTP, and Debian's `openstack` CLI and openstacksdk run against
// Palisade's own Keystone endpoint (asynchronously: the server answers from this process).
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PalisadeClient } from '../../src/client/client.js';
import { newTenant, type TestServer } from './servers.js';

export const OPENSTACK_CLI = '/usr/bin/openstack';
/** Debian's python (the SDK is a Debian package, not in any virtualenv). */
export const SYSTEM_PYTHON = '/usr/bin/python3';
export const SDK_SCRIPT = fileURLToPath(new URL('./openstack_sdk.py', import.meta.url));

export interface OsProject {
  tenant: PalisadeClient;
  tenantId: string;
  userId: string;
  userName: string;
  password: string;
  region: string;
}

/** A tenant (= Keystone project) with one OpenStack user, made through the native API. */
export async function osProject(t: TestServer, tenantId: string, region: string): Promise<OsProject> {
  const tenant = await newTenant(t.admin, t.url, tenantId);
  const userName = `${tenantId}-ops`;
  const password = `pw-${tenantId}-secret`;
  const user = await t.admin.post<{ id: string }>('/v1/openstack/users', {
    tenantId,
    name: userName,
    password,
  });
  return { tenant, tenantId, userId: user.id, userName, password, region };
}

/** POST /identity/v3/auth/tokens with the password method (project-scoped if a project is named): the answer, whatever it is. */
export function passwordLogin(
  baseUrl: string,
  userName: string,
  password: string,
  projectName?: string,
): Promise<Response> {
  return fetch(`${baseUrl}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: userName, domain: { name: 'Default' }, password } },
        },
        ...(projectName === undefined
          ? {}
          : { scope: { project: { name: projectName, domain: { name: 'Default' } } } }),
      },
    }),
  });
}

/** A project-scoped password login that must succeed: its token and body. */
export async function login(
  t: TestServer,
  o: Pick<OsProject, 'userName' | 'password' | 'tenantId'>,
): Promise<{ token: string; body: any }> {
  const res = await passwordLogin(t.url, o.userName, o.password, o.tenantId);
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return { token: res.headers.get('x-subject-token')!, body: await res.json() };
}

/** The environment the CLI and the SDK read: nothing from the caller's own clouds.yaml. */
export function osEnv(t: TestServer, o: OsProject, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: mkdtempSync(join(tmpdir(), 'palisade-os-home-')),
    LANG: 'C.UTF-8',
    OS_AUTH_URL: `${t.url}/identity/v3`,
    OS_USERNAME: o.userName,
    OS_PASSWORD: o.password,
    OS_PROJECT_NAME: o.tenantId,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: o.region,
    OS_IDENTITY_API_VERSION: '3',
    OS_INTERFACE: 'public',
    ...extra,
  };
}

/** The same, logging in with an application credential instead of the password. */
export function appCredentialEnv(t: TestServer, o: OsProject, id: string, secret: string): NodeJS.ProcessEnv {
  const env = osEnv(t, o, {
    OS_AUTH_TYPE: 'v3applicationcredential',
    OS_APPLICATION_CREDENTIAL_ID: id,
    OS_APPLICATION_CREDENTIAL_SECRET: secret,
  });
  for (const k of [
    'OS_USERNAME',
    'OS_PASSWORD',
    'OS_PROJECT_NAME',
    'OS_USER_DOMAIN_NAME',
    'OS_PROJECT_DOMAIN_NAME',
  ])
    delete env[k];
  return env;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 50_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `openstack <args>`; the exit code and output, whatever they are. */
export const openstack = (env: NodeJS.ProcessEnv, args: string[]) => run(OPENSTACK_CLI, args, env);

/** `openstack <args> -f json`, parsed; a failure throws with the CLI's own message. */
export async function openstackJson(env: NodeJS.ProcessEnv, args: string[]): Promise<any> {
  const r = await openstack(env, [...args, '-f', 'json']);
  if (r.code !== 0) throw new Error(`openstack ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** test/support/openstack_sdk.py <action> <args>: one JSON document on stdout. */
export async function sdk(env: NodeJS.ProcessEnv, action: string, ...args: string[]): Promise<any> {
  const r = await run(SYSTEM_PYTHON, [SDK_SCRIPT, action, ...args], env);
  if (r.code !== 0) throw new Error(`openstack_sdk.py ${action} failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
