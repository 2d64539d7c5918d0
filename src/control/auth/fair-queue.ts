// Password hashing (scrypt, tens of milliseconds of CPU each) runs on libuv's thread pool, off
// the event loop, but a burst of wrong-password logins would still fill the pool and make an
// honest login wait behind all of them. This queue runs at most `concurrency` jobs at once and
// takes turns between keys (one key per user), so a flood against one user delays another
// user's login by the jobs running and one turn of each key ahead of it, not by the whole flood.
export class FairQueue {
  private running = 0;
  /** Waiting jobs per key; Map order is the order of turns (a served key goes to the back). */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(private readonly concurrency: number) {}

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else
      await new Promise<void>((start) => {
        const line = this.waiting.get(key);
        if (line) line.push(start);
        else this.waiting.set(key, [start]);
      });
    try {
      return await job();
    } finally {
      this.next();
    }
  }

  /** Hand the finished job's place to the first key in turn, or free it. */
  private next(): void {
    const first = this.waiting.entries().next();
    if (first.done) {
      this.running--;
      return;
    }
    const [key, line] = first.value;
    const start = line.shift()!;
    this.waiting.delete(key);
    if (line.length) this.waiting.set(key, line);
    start();
  }
}
