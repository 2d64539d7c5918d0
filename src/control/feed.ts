// Wakes whoever follows the change log (watch streams, the world of this server) when a new
// revision may be there: at once for this server's writes, through LISTEN/NOTIFY for other
// servers' on PostgreSQL, and by a slow poll in case a notification was lost. Followers always
// re-read the log by revision, so a wake-up carries no data and a missed one costs only latency.
import pg from 'pg';
import type { Store } from '../store/open.js';

export const CHANNEL = 'palisade_changes';
const SAFETY_POLL_MS = 1000;

export class ChangeFeed {
  private waiters = new Set<() => void>();
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly store: Store) {}

  /** `onRemoteChange` gets the revision a notification names, or undefined (the safety poll). */
  async start(onRemoteChange: (revision?: number) => Promise<void>): Promise<void> {
    const remote = (revision?: number) => {
      onRemoteChange(revision)
        .then(() => this.wake())
        .catch(() => this.wake());
    };
    if (this.store.dialect === 'postgres') {
      this.listener = new pg.Client({ connectionString: this.store.location });
      this.listener.on('notification', (message) => remote(Number(message.payload)));
      // A lost listener connection is recovered by the safety poll; the error must not crash the server.
      this.listener.on('error', () => undefined);
      await this.listener.connect();
      await this.listener.query(`LISTEN ${CHANNEL}`);
      this.timer = setInterval(() => remote(), SAFETY_POLL_MS);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.wake();
    await this.listener?.end().catch(() => undefined);
  }

  notify(_revision: number): void {
    this.wake();
  }

  /** Resolves at the next wake-up or after `timeoutMs`, whichever comes first. */
  wait(timeoutMs: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  get closed(): boolean {
    return this.stopped;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
