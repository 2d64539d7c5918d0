// What every command that talks to a server shares: where the server is and whose key to sign
// with (flag, environment, then the config file `palisade login` writes), and how answers print:
// aligned tables for people, --json for scripts, API errors as one line per problem (exit 1).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiError, NotPreviewedError, PalisadeClient } from '../client/client.js';
import { own } from '../core/own.js';
import { EXIT, type Io, UsageError } from './io.js';

export interface Config {
  server?: string;
  keyId?: string;
  secret?: string;
}

export const configPath = () =>
  process.env.PALISADE_CONFIG ?? join(homedir(), '.config', 'palisade', 'config.json');

export function readConfig(): Config {
  try {
    return JSON.parse(readFileSync(configPath(), 'utf8')) as Config;
  } catch {
    return {};
  }
}

/** A client for the server: --server, then PALISADE_SERVER / _ACCESS_KEY_ID / _ACCESS_KEY_SECRET, then the config file. */
export function clientFor(cmd: Command): PalisadeClient {
  const file = readConfig();
  const flags = cmd.optsWithGlobals() as { server?: string };
  const server = flags.server ?? process.env.PALISADE_SERVER ?? file.server;
  const keyId = process.env.PALISADE_ACCESS_KEY_ID ?? file.keyId;
  const secret = process.env.PALISADE_ACCESS_KEY_SECRET ?? file.secret;
  if (!server || !keyId || !secret)
    throw new UsageError(
      `no credentials: run \`palisade login --server URL --key-id ID --secret SECRET\` or set PALISADE_SERVER, PALISADE_ACCESS_KEY_ID and PALISADE_ACCESS_KEY_SECRET (config: ${configPath()})`,
    );
  return new PalisadeClient(server.replace(/\/$/, ''), { keyId, secret });
}

export type Column<T> = [header: string, cell: (row: T) => unknown];

/** Rows as an aligned text table; empty cells for missing values. */
export function table<T>(rows: T[], columns: Column<T>[]): string {
  const cells = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, f]) => text(f(r))))];
  const widths = columns.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(text).join(',');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** `key: value` lines for one object's scalar fields. */
export function fields(obj: Record<string, unknown>, keys: string[]): string {
  return keys
    .filter((k) => own(obj, k) !== undefined)
    .map((k) => `${k}: ${text(own(obj, k))}`)
    .join('\n');
}

/**
 * Runs a command's action against the server: prints `render(answer)` (or the answer as JSON
 * with --json) and maps API errors to stderr lines and exit code 1.
 */
export function apiAction<A extends unknown[]>(
  io: Io,
  exit: (code: number) => void,
  action: (client: PalisadeClient, ...args: A) => Promise<{ value: unknown; text: () => string }>,
) {
  return async (...args: A) => {
    const cmd = args[args.length - 1] as Command;
    const json = (cmd.opts() as { json?: boolean }).json;
    try {
      const { value, text: render } = await action(clientFor(cmd), ...args);
      io.out(json ? JSON.stringify(value, null, 2) : render());
      exit(EXIT.ok);
    } catch (e) {
      exit(reportApiError(io, e));
    }
  };
}

/**
 * An API error as stderr lines (the code and detail, then each field), or an unreachable server as
 * one line: exit code 1. Anything else is a bug and propagates.
 */
export function reportApiError(io: Io, e: unknown): number {
  // fetch reports a refused connection, a bad host or a bad port as "fetch failed" with the reason in `cause`.
  if (e instanceof TypeError && e.message === 'fetch failed') {
    const cause = e.cause instanceof Error ? e.cause.message : String(e.cause ?? e.message);
    io.err(`palisade: cannot reach the server: ${cause}`);
    return EXIT.negative;
  }
  if (e instanceof NotPreviewedError) {
    io.err(`palisade: ${e.message}`);
    return EXIT.negative;
  }
  if (!(e instanceof ApiError)) throw e;
  io.err(`palisade: ${e.problem.code}: ${e.problem.detail}`);
  for (const p of e.problem.errors ?? []) io.err(`  ${p.path}: ${p.message}`);
  return EXIT.negative;
}

/** Follow nextCursor when `all` is set, else one page. The path may already name a cursor (--cursor). */
export async function listAll<T>(client: PalisadeClient, path: string, all: boolean): Promise<T[]> {
  const [base, search = ''] = path.split('?', 2);
  const params = new URLSearchParams(search);
  const items: T[] = [];
  for (;;) {
    const page = await client.get<{ items: T[]; nextCursor?: string }>(
      `${base}?${params}`.replace(/\?$/, ''),
    );
    items.push(...page.items);
    if (!all || !page.nextCursor) return items;
    // set, not append: a second cursor parameter would be refused.
    params.set('cursor', page.nextCursor);
  }
}

/** "a=1,b=2" → {a: '1', b: '2'} (values may repeat: collected into arrays by the caller). */
export function keyValues(text: string, flag: string): [string, string][] {
  return text.split(',').map((part) => {
    const i = part.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} "${text}": expected key=value[,key=value...]`);
    return [part.slice(0, i).trim(), part.slice(i + 1).trim()];
  });
}

export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** An API answer, read field by field for display. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shapes are the server's; the CLI only prints them
export type Json = Record<string, any>;
