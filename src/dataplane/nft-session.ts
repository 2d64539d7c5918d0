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
  /** Called on every output of the session: the running script checks whether it is done. */
  private onOutput: (() => void) | null = null;

  constructor(private readonly netns?: string) {}

  private start(): ChildProcess {
    const [cmd, args] = this.netns ? ['ip', ['netns', 'exec', this.netns, 'nft', '-i']] : ['nft', ['-i']];
    const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => {
      this.out += d;
      this.onOutput?.();
    });
    proc.stderr!.on('data', (d) => {
      this.err += d;
      this.onOutput?.();
    });
    proc.stdin!.on('error', () => undefined);
    proc.on('exit', () => {
      if (this.proc === proc) this.proc = null;
      this.onOutput?.();
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

  private exec(script: string): Promise<void> {
    const line = script
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('; ');
    if (!line) return Promise.resolve();
    const proc = this.proc ?? this.start();
    this.out = '';
    this.err = '';
    // Woken by the session's output (never by polling: a spinning wait would take the CPU
    // that nft itself needs).
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.onOutput = null;
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        this.close();
        finish(new Error(`nft session did not answer within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.onOutput = () => {
        const failed = this.err.includes(`list set inet ${TABLE} ${SYNC_SET}`);
        if (DONE.test(this.out) || failed)
          finish(this.err ? new Error(`nft: ${this.err.trim()}`) : undefined);
        else if (!this.proc) finish(new Error(`nft session ended: ${this.err.trim() || 'no output'}`));
      };
      proc.stdin!.write(`${line}\nlist set inet ${TABLE} ${SYNC_SET}\n`);
    });
  }

  close(): void {
    this.proc?.kill();
    this.proc = null;
  }
}
