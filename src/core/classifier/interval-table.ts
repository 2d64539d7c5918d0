// One dimension of the bit-vector classifier: the key space cut into elementary intervals,
// each carrying a bit vector of the entries that match every key in it. Keys are numbers
// (ports, IPv4) or bigints (IPv6); the table can split intervals in place so that an
// address-set change edits a few rows instead of recompiling.

export type Key = number | bigint;

export class IntervalTable<K extends Key> {
  /** Start key of each interval, ascending; bounds[0] is the smallest key. */
  readonly bounds: K[];
  /** Row-major bit vectors, `words` 32-bit words per interval. */
  vecs: Uint32Array;

  /**
   * Number keys only: for each bucket of 2^shift keys, the row holding the bucket's first key,
   * so a lookup searches only the few rows of one bucket.
   */
  private readonly bucketRow: Int32Array | null = null;
  private readonly shift: number = 0;

  constructor(
    readonly words: number,
    readonly minKey: K,
    readonly maxKey: K,
    cuts: K[] = [],
  ) {
    const sorted = [...new Set(cuts)].filter((k) => k > minKey && k <= maxKey).sort(compare);
    this.bounds = [minKey, ...sorted];
    this.vecs = new Uint32Array(Math.max(1, this.bounds.length) * words * 2);
    if (typeof maxKey === 'number' && minKey === 0) {
      // About four buckets per row (at most 2^16): small tables stay small, big ones stay fast.
      const bucketBits = Math.min(16, Math.max(4, Math.ceil(Math.log2(this.bounds.length * 4))));
      this.shift = Math.max(0, Math.ceil(Math.log2(maxKey + 1)) - bucketBits);
      const buckets = Math.floor(maxKey / 2 ** this.shift) + 1;
      this.bucketRow = new Int32Array(buckets + 1);
      let row = 0;
      for (let b = 0; b < buckets; b++) {
        const start = b * 2 ** this.shift;
        while (row + 1 < this.bounds.length && (this.bounds[row + 1] as number) <= start) row++;
        this.bucketRow[b] = row;
      }
      this.bucketRow[buckets] = this.bounds.length - 1;
    }
  }

  get size(): number {
    return this.bounds.length;
  }

  /** Index of the interval holding key. */
  find(key: K): number {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length - 1;
    const index = this.bucketRow;
    if (index !== null) {
      const bucket = (key as number) >>> this.shift; // keys are below 2^32
      lo = index[bucket];
      hi = index[bucket + 1];
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid] <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Ensure an interval starts at key (copying the vector of the interval it cut); returns its index. */
  split(key: K): number {
    const i = this.find(key);
    if (this.bounds[i] === key) return i;
    const w = this.words;
    const needed = (this.bounds.length + 1) * w;
    if (needed > this.vecs.length) {
      const grown = new Uint32Array(needed * 2);
      grown.set(this.vecs);
      this.vecs = grown;
    }
    this.vecs.copyWithin((i + 2) * w, (i + 1) * w, this.bounds.length * w);
    this.vecs.copyWithin((i + 1) * w, i * w, (i + 1) * w);
    this.bounds.splice(i + 1, 0, key);
    const index = this.bucketRow;
    if (index !== null) {
      // Buckets starting at or after the new edge now find their row one further on.
      const first = Math.ceil((key as number) / 2 ** this.shift);
      for (let bucket = first; bucket < index.length - 1; bucket++) index[bucket]++;
      index[index.length - 1] = this.bounds.length - 1;
    }
    return i + 1;
  }

  /** Interval indices [first, last] exactly covering [lo, hi], splitting at the edges. */
  cover(lo: K, hi: K): [number, number] {
    const first = this.split(lo);
    if (hi < this.maxKey) {
      const next = this.split((typeof hi === 'bigint' ? hi + 1n : (hi as number) + 1) as K);
      return [first, next - 1];
    }
    return [first, this.bounds.length - 1];
  }

  setBit(row: number, bit: number): void {
    this.vecs[row * this.words + (bit >>> 5)] |= 1 << (bit & 31);
  }

  clearBit(row: number, bit: number): void {
    this.vecs[row * this.words + (bit >>> 5)] &= ~(1 << (bit & 31));
  }

  setRange(lo: K, hi: K, bit: number): void {
    const [first, last] = this.cover(lo, hi);
    for (let r = first; r <= last; r++) this.setBit(r, bit);
  }

  setAll(bit: number): void {
    for (let r = 0; r < this.bounds.length; r++) this.setBit(r, bit);
  }

  /** Start and inclusive end key of a row. */
  rowSpan(row: number): [K, K] {
    const start = this.bounds[row];
    if (row + 1 < this.bounds.length) {
      const next = this.bounds[row + 1];
      return [start, (typeof next === 'bigint' ? next - 1n : (next as number) - 1) as K];
    }
    return [start, this.maxKey];
  }
}

function compare<K extends Key>(a: K, b: K): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
