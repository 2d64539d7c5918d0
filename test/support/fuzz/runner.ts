// The fuzz loop every suite shares: send one case at a time, read the change revision after it,
// check the answer (never 5xx; an error in the API's own envelope; an error changed nothing;
// plus the case's own oracle), and collect every failure with the exact request, so that one run
// reports all distinct failures instead of stopping at the first.
import { appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeRequest,
  describeResponse,
  type RawRequest,
  type RawResponse,
  revisionOf,
  send,
} from './http.js';

/** A checker returns the problems it finds with an answer ([] when it is fine). */
export type Check = (res: RawResponse, req: RawRequest) => string[];

export interface FuzzCase {
  /** The API that answers (for grouping the report); default the run's name. */
  api?: string;
  /** The operation, for grouping failures: "POST /v1/security-groups", "Alibaba DescribeRegions". */
  op: string;
  /** What this case does: the mutation, the hostile value, the auth variant. */
  label: string;
  /**
   * What in the request provokes a failure, for telling distinct failures apart (the label
   * without the incidental parts: transport, key); prototype names and numbers are blanked.
   */
  trigger?: string;
  /** Built at send time (signatures carry the current time and a fresh nonce). */
  build: () => RawRequest | Promise<RawRequest>;
  /** The error envelope of the API that answers this request. */
  envelope: Check;
  /** 'reject': the request is invalid, so the answer must be 4xx. */
  expect?: 'reject' | 'accept';
  /** Extra checks of this case's answer (documented responses, oracles). */
  checks?: Check[];
  /** Send it this many times (a replay: the second copy must be refused); default 1. */
  repeat?: number;
  /** How the body was built, when it is too big to print (shown in the reproducer). */
  recipe?: string;
}

export interface Failure {
  api: string;
  op: string;
  trigger: string;
  /** The answer's own error code (code, Code, error_code, NeutronError.type, Fastify's code). */
  answer: string;
  label: string;
  problem: string;
  status: number;
  request: string;
  response: string;
  size: number;
  /** The last bad request the server accepted before this failure (state it may have left). */
  after?: string;
}

export class FuzzRun {
  readonly failures: Failure[] = [];
  requests = 0;
  /** Answers per operation and status (FUZZ_STATS=1 prints them: is the fuzz reaching the handlers?). */
  readonly stats = new Map<string, Map<number, number>>();
  private revision: number | undefined;
  private lastAccepted: string | undefined;

  constructor(
    readonly base: string,
    readonly name: string,
    readonly seed: number,
  ) {}

  /** Re-read the revision (after setup writes made outside the fuzz loop). */
  async resync(): Promise<void> {
    this.revision = await revisionOf(this.base);
  }

  async run(c: FuzzCase): Promise<RawResponse[]> {
    if (this.revision === undefined) await this.resync();
    const answers: RawResponse[] = [];
    const req = await c.build();
    for (let i = 0; i < (c.repeat ?? 1); i++) {
      const label = i === 0 ? c.label : `${c.label} (copy ${i + 1}: a replay)`;
      const before = this.revision!;
      let res: RawResponse;
      try {
        res = await send(this.base, req);
      } catch (e) {
        this.fail(c, label, req, undefined, `no HTTP answer: ${(e as Error).message}`);
        await this.resync();
        continue;
      }
      this.requests++;
      const perOp = this.stats.get(c.op) ?? new Map<number, number>();
      perOp.set(res.status, (perOp.get(res.status) ?? 0) + 1);
      this.stats.set(c.op, perOp);
      const after = await revisionOf(this.base);
      this.revision = after;
      answers.push(res);
      const problems: string[] = [];
      if (res.status >= 500) problems.push(`answered ${res.status} (a server fault) to a client's request`);
      if (res.status >= 400) {
        const envelope = c.envelope(res, req);
        if (envelope.length) problems.push(`not in the API's error envelope: ${envelope.join('; ')}`);
        if (after !== before)
          problems.push(`an error answer changed the server's state (revision ${before} → ${after})`);
      }
      if (i === 0 && c.expect === 'reject' && res.status < 400)
        problems.push(`accepted (${res.status}) a request that must be refused`);
      if (i > 0 && c.expect !== 'accept' && res.status < 400)
        problems.push(`accepted (${res.status}) a replayed request`);
      if (i === 0 && c.expect === 'accept' && res.status >= 400)
        problems.push(`refused (${res.status}) a valid request`);
      for (const check of c.checks ?? []) problems.push(...check(res, req));
      if (process.env.FUZZ_TRACE)
        appendFileSync(
          process.env.FUZZ_TRACE,
          `${JSON.stringify({ op: c.op, label, status: res.status, request: describeRequest(this.base, req).slice(0, 1500), response: res.text.slice(0, 600) })}\n`,
        );
      for (const p of problems) this.fail(c, label, req, res, p);
    }
    return answers;
  }

  private fail(c: FuzzCase, label: string, req: RawRequest, res: RawResponse | undefined, problem: string) {
    this.failures.push({
      api: c.api ?? this.name,
      op: c.op,
      trigger: c.trigger ?? c.label,
      answer: res ? answerCode(res) : '',
      label,
      problem,
      status: res?.status ?? 0,
      request: describeRequest(this.base, req, c.recipe),
      response: res ? describeResponse(res) : '(none)',
      size: req.path.length + (req.body === undefined ? 0 : Buffer.byteLength(req.body)),
      after: this.lastAccepted,
    });
    if (problem.startsWith('accepted')) this.lastAccepted = `${c.op}: ${label}`;
  }

  /**
   * Distinct failures: one per (operation, problem with numbers and ids blanked, status), each
   * with its smallest request as the reproducer. Also written whole to a JSON file.
   */
  report(): string {
    if (!this.failures.length) return '';
    const groups = new Map<string, Failure[]>();
    for (const f of this.failures) {
      // An answer in the wrong envelope is one defect whatever provoked it; a 5xx, an accepted
      // bad request or a changed state is one per kind of provocation.
      const cause = f.problem.startsWith('not in the API') ? '' : normalise(f.trigger);
      const key = `${f.api} | ${f.status} | ${f.answer} | ${f.problem.replace(/\d+/g, 'N')} | ${cause}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const sorted = [...groups.values()].sort((a, b) =>
      a[0].api < b[0].api ? -1 : a[0].api > b[0].api ? 1 : 0,
    );
    const file = join(tmpdir(), `palisade-fuzz-${this.name}-${this.seed}.json`);
    writeFileSync(file, JSON.stringify(this.failures, null, 2));
    const out = [
      `${this.name} fuzz (seed ${this.seed}): ${this.failures.length} failing checks, ${groups.size} distinct, in ${this.requests} requests. All of them: ${file}`,
    ];
    let n = 0;
    for (const list of sorted) {
      const f = [...list].sort((a, b) => a.size - b.size)[0];
      const ops = [...new Set(list.map((x) => x.op))];
      out.push(
        '',
        `#${++n} [${f.api}] ${f.problem} — answered ${f.status}${f.answer ? ` ${f.answer}` : ''} (${list.length}× in ${ops.length} operation(s): ${ops.slice(0, 6).join(', ')}${ops.length > 6 ? ', …' : ''})`,
        `  smallest case: ${f.op}: ${f.label}`,
        ...(f.problem.startsWith('not in the API') ? [] : [`  provoked by: ${normalise(f.trigger)}`]),
        // A valid request that fails may fail for what an earlier accepted bad request stored.
        ...(f.after && normalise(f.trigger) === 'a valid request'
          ? [`  (after the server had accepted a bad request: ${f.after})`]
          : []),
        indent(f.request),
        `  → ${f.response}`,
      );
    }
    return out.join('\n');
  }

  /** One line per operation: how many answers of each status. */
  statsText(): string {
    return [...this.stats.entries()]
      .map(
        ([op, m]) =>
          `${op}: ${[...m.entries()]
            .sort((a, b) => a[0] - b[0])
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
      )
      .join('\n');
  }

  /** Throws the report when anything failed (the test's one assertion). */
  assertClean(): void {
    if (process.env.FUZZ_STATS) console.log(this.statsText());
    const report = this.report();
    if (report) throw new Error(report);
  }
}

const PROTO =
  /__proto__|constructor|toString|hasOwnProperty|valueOf|prototype|isPrototypeOf|propertyIsEnumerable|toLocaleString|__defineGetter__|__lookupGetter__/g;

/** A trigger with its incidental parts blanked: prototype names, long runs, numbers, quoted values. */
export function normalise(trigger: string): string {
  return trigger
    .replace(PROTO, '<inherited name>')
    .replace(/(.)\1{19,}/g, '<long>')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N');
}

/** The error code an answer carries in whatever dialect it speaks. */
export function answerCode(res: RawResponse): string {
  const b = res.json as any;
  if (typeof b !== 'object' || b === null) {
    const m = /<Code>([^<]*)<\/Code>/.exec(res.text);
    return m ? m[1] : '';
  }
  const code = b.code ?? b.Code ?? b.error_code ?? b.NeutronError?.type ?? b.error?.title ?? b.error;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : '';
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

/** FUZZ_SEED in the environment, else the suite's fixed seed. */
export function seedOf(fixed: number): number {
  const env = Number(process.env.FUZZ_SEED);
  return Number.isInteger(env) && env !== 0 ? env : fixed;
}
