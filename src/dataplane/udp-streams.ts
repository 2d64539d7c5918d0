// The both-ways UDP timeout for exchanges inside their first 2 s. Linux times a UDP entry with
// its "replied" timeout only for packets more than 2 s after the entry was created
// (nf_conntrack_proto_udp.c, stream_ts), so a request and its answer inside those 2 s, then
// silence, expire at the one-way timeout: 30 s instead of 180 s with real values, where the
// documents (and the simulator) keep a flow seen both ways for the both-ways timeout.
//
// This follows conntrack's events. An UPDATE without [UNREPLIED] and without [ASSURED] is an
// entry that just saw its first reply; 2 s later (when the kernel's window is over), unless the
// kernel assured it meanwhile (a packet after the window already got the replied timeout), its
// timeout is set to what the both-ways timeout leaves since the reply. When the one-way timeout
// is shorter than that window, the entry is also given the both-ways timeout at once, so that it
// cannot expire before its 2 s are over. Updates are batched: one conntrack process per tick.
// A packet after the reply but inside the window shortens the result by at most those 2 s.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ConntrackTimeouts } from '../core/model.js';
import { Conntrack, parseLine, type TrackedFlow } from './conntrack.js';

/** The kernel's window (2 s), plus a margin for the event's way to us. */
const WINDOW_MS = 2100;
const TICK_MS = 100;

interface Waiting {
  flow: TrackedFlow;
  repliedAt: number;
  /** Given the both-ways timeout at once (short one-way timeouts). */
  early: boolean;
}

const key = (f: TrackedFlow) => `${f.src} ${f.dst} ${f.sport} ${f.dport}`;

export class UdpStreams {
  private events: ChildProcess | null = null;
  private readonly waiting = new Map<string, Waiting>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failures = 0;
  private readonly conntrack: Conntrack;
  /** Entries given the both-ways timeout (for tests and logs). */
  extended = 0;

  constructor(
    private readonly netns: string | undefined,
    private readonly timeouts: () => ConntrackTimeouts | null,
    private readonly log?: (message: string, fields?: Record<string, unknown>) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.conntrack = new Conntrack(netns);
  }

  /** Start following events; resolves once the event socket is open. */
  async start(): Promise<void> {
    this.stopped = false;
    this.follow();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    // conntrack opens its event socket right after it starts; give it that moment, so that
    // nothing answered right after the agent starts is missed.
    await new Promise((r) => setTimeout(r, 100));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.events?.kill();
    this.events = null;
  }

  private follow(): void {
    const args = ['-E', '-e', 'UPDATE', '-p', 'udp'];
    const [cmd, argv] = this.netns
      ? ['ip', ['netns', 'exec', this.netns, 'conntrack', ...args]]
      : ['conntrack', args];
    const proc = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.events = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      this.failures = 0;
      this.onEvent(line);
    });
    proc.on('error', (e) => this.log?.('conntrack events unavailable', { error: String(e) }));
    proc.on('exit', () => {
      if (this.stopped || this.events !== proc) return;
      // Backing off, so that a host without conntrack events is not a busy loop.
      const delay = Math.min(30_000, 500 * 2 ** this.failures++);
      this.log?.('conntrack event stream ended; following again', { inMs: delay });
      setTimeout(() => !this.stopped && this.follow(), delay).unref();
    });
  }

  /** One event line: note a first reply, forget an entry the kernel assured. */
  onEvent(line: string): void {
    // Our own updates come back as events from user space.
    if (line.includes('[USERSPACE]')) return;
    const flow = parseLine(line);
    if (!flow || flow.protocol !== 17 || !flow.replied) return;
    const k = key(flow);
    if (flow.assured) {
      this.waiting.delete(k);
      return;
    }
    if (this.waiting.has(k)) return;
    const t = this.timeouts();
    if (!t || t.otherBothWays <= t.otherOneWay) return;
    this.waiting.set(k, { flow, repliedAt: this.now(), early: t.otherOneWay * 1000 <= WINDOW_MS + TICK_MS });
  }

  /** The updates due now, as conntrack commands (and forget the finished ones). */
  due(): string[] {
    const t = this.timeouts();
    if (!t) return [];
    const now = this.now();
    const lines: string[] = [];
    for (const [k, w] of this.waiting) {
      const late = now - w.repliedAt >= WINDOW_MS;
      if (!late && !w.early) continue;
      const left = late ? t.otherBothWays - (now - w.repliedAt) / 1000 : t.otherBothWays;
      const f = w.flow;
      lines.push(
        `-U -p udp -s ${f.src} -d ${f.dst} --sport ${f.sport} --dport ${f.dport} -t ${Math.max(1, Math.round(left))}`,
      );
      if (late) this.waiting.delete(k);
      else w.early = false;
    }
    return lines;
  }

  private busy = false;
  private async tick(): Promise<void> {
    if (this.busy) return;
    const lines = this.due();
    if (!lines.length) return;
    this.busy = true;
    try {
      await this.conntrack.batch(lines);
      this.extended += lines.length;
    } finally {
      this.busy = false;
    }
  }
}
