// A long-lived `nft -i` process for the agent's small, frequent transactions: spawning nft
// for each change costs tens of milliseconds (process start plus rebuilding its cache), a line
// to a live session about one. Each script is sent as one line (statements joined by ";"),
// which nft runs as one transaction: all of it or, on an error, none of it. A marker listing
// after each line tells when it is done and whether it failed.
import { type ChildProcess, spawn } from 'node:child_process';
import { TABLE } from './render.js';

export const SYNC_SET = 'sync';
const TIMEOUT_MS = 5000;
/** The end of the marker set's listing. */
const DONE = new RegExp(`set ${SYNC_SET} \\{[\\s\\S]*\\}\\s*\\}\\s*$`);

export class NftSession {
  private proc: ChildProcess | null = null;
  private out = '';
  private err = '';
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly netns?: string) {}

  private start(): ChildProcess {
    const [cmd, args] = this.netns ? ['ip', ['netns', 'exec', this.netns, 'nft', '-i']] : ['nft', ['-i']];
    const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => (this.out += d));
    proc.stderr!.on('data', (d) => (this.err += d));
    proc.stdin!.on('error', () => undefined);
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = null;
    });
    this.proc = proc;
    return proc;
  }

  /** Run a script (one statement per line) as one transaction. */
  run(script: string): Promise<void> {
    const task = this.busy.then(() => this.exec(script));
    this.busy = task.catch(() => undefined);
    return task;
  }

  private async exec(script: string): Promise<void> {
    const line = script
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('; ');
    if (!line) return;
    const proc = this.proc ?? this.start();
    this.out = '';
    this.err = '';
    proc.stdin!.write(`${line}\nlist set inet ${TABLE} ${SYNC_SET}\n`);
    const started = Date.now();
    for (;;) {
      if (DONE.test(this.out)) break;
      if (this.err && this.err.includes(`list set inet ${TABLE} ${SYNC_SET}`)) break;
      if (Date.now() - started > TIMEOUT_MS || !this.proc) {
        this.close();
        throw new Error(`nft session did not answer within ${TIMEOUT_MS} ms`);
      }
      await new Promise((r) => setImmediate(r));
    }
    if (this.err) throw new Error(`nft: ${this.err.trim()}`);
  }

  close(): void {
    this.proc?.kill();
    this.proc = null;
  }
}
