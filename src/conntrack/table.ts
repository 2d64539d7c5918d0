// The connection table: open addressing with linear probing over one Uint32Array, the key
// stored inline so a lookup touches one slot. Both directions of a connection share one slot:
// the two endpoints are stored in canonical order (lower address/port first) and a bit says
// which of them opened the connection. Deletion shifts followers back (no tombstones).
//
// Slot layout (32-bit words), with A = address words (1 for IPv4, 4 for IPv6):
//   [0, A)        lower endpoint address      [A, 2A)  upper endpoint address
//   [2A]          lowerPort << 16 | upperPort [2A+1]   zone << 8 | protocol
//   [2A+2]        meta (see below)            [2A+3]   spare
//   [2A+4, 2A+6)  expiry, a float64 of virtual seconds
// meta: bits 0-7 state, 8 used, 9 opener is the lower endpoint, 10 reply seen,
//       11 inbound origin, 12 cleared, 13 first FIN came from the reply side.

export const USED = 1 << 8;
export const OPENER_LOW = 1 << 9;
export const SEEN_REPLY = 1 << 10;
export const INBOUND = 1 << 11;
export const CLEARED = 1 << 12;
export const FIN_BY_REPLY = 1 << 13;

export class ConnTable {
  readonly keyWords: number;
  readonly stride: number;
  private readonly metaAt: number;
  private readonly expiryAt: number;
  slots: Uint32Array;
  expiry: Float64Array;
  mask: number;
  size = 0;

  constructor(
    readonly addrWords: 1 | 4,
    initialCapacity = 1024,
  ) {
    this.keyWords = 2 * addrWords + 2;
    this.metaAt = this.keyWords;
    this.expiryAt = this.keyWords + 2;
    this.stride = this.keyWords + 4;
    const cap = 1 << Math.ceil(Math.log2(Math.max(16, initialCapacity)));
    this.slots = new Uint32Array(cap * this.stride);
    this.expiry = new Float64Array(this.slots.buffer);
    this.mask = cap - 1;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  static hash(key: Uint32Array, words: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < words; i++) {
      h = Math.imul(h ^ key[i], 0x01000193);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** hash() of an IPv4 key, unrolled for the fast path (must stay identical to hash). */
  static hash4(a: number, b: number, c: number, d: number): number {
    let h = Math.imul(0x811c9dc5 ^ a, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ b, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ c, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ d, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  /** IPv4 tables only: slot of the key words a..d, or -1. */
  find4(a: number, b: number, c: number, d: number): number {
    const s = this.slots;
    const mask = this.mask;
    let i = ConnTable.hash4(a, b, c, d) & mask;
    for (;;) {
      const base = i << 3;
      if (s[base + 4] === 0) return -1;
      if (s[base] === a && s[base + 1] === b && s[base + 2] === c && s[base + 3] === d) return i;
      i = (i + 1) & mask;
    }
  }

  /** Slot index holding the key, or -1. Expired entries are still returned (caller decides). */
  find(key: Uint32Array): number {
    const s = this.slots;
    const stride = this.stride;
    const kw = this.keyWords;
    let i = ConnTable.hash(key, kw) & this.mask;
    for (;;) {
      const base = i * stride;
      if ((s[base + this.metaAt] & USED) === 0) return -1;
      let k = 0;
      while (k < kw && s[base + k] === key[k]) k++;
      if (k === kw) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Insert a key known to be absent; returns its slot. */
  insert(key: Uint32Array, meta: number, expiry: number): number {
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    const i = this.place(key);
    const base = i * this.stride;
    this.slots.set(key.subarray(0, this.keyWords), base);
    this.slots[base + this.metaAt] = meta | USED;
    this.expiry[(base + this.expiryAt) >> 1] = expiry;
    this.size++;
    return i;
  }

  private place(key: Uint32Array): number {
    let i = ConnTable.hash(key, this.keyWords) & this.mask;
    while (this.slots[i * this.stride + this.metaAt] & USED) i = (i + 1) & this.mask;
    return i;
  }

  meta(i: number): number {
    return this.slots[i * this.stride + this.metaAt];
  }

  setMeta(i: number, meta: number): void {
    this.slots[i * this.stride + this.metaAt] = meta | USED;
  }

  expiresAt(i: number): number {
    return this.expiry[(i * this.stride + this.expiryAt) >> 1];
  }

  setExpiry(i: number, at: number): void {
    this.expiry[(i * this.stride + this.expiryAt) >> 1] = at;
  }

  /** Copy a slot's key words into out. */
  keyOf(i: number, out: Uint32Array): Uint32Array {
    out.set(this.slots.subarray(i * this.stride, i * this.stride + this.keyWords));
    return out;
  }

  /** Remove slot i, shifting later members of its probe run back so lookups never stop early. */
  remove(i: number): void {
    const s = this.slots;
    const stride = this.stride;
    const key = new Uint32Array(this.keyWords);
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const base = j * stride;
      if ((s[base + this.metaAt] & USED) === 0) break;
      const home = ConnTable.hash(this.keyOf(j, key), this.keyWords) & this.mask;
      // Move j into the hole if the hole lies on j's probe path (from home to j).
      if (((j - home) & this.mask) >= ((j - hole) & this.mask)) {
        s.copyWithin(hole * stride, base, base + stride);
        hole = j;
      }
    }
    s.fill(0, hole * stride, hole * stride + stride);
    this.size--;
  }

  private grow(): void {
    const old = this.slots;
    const oldCap = this.capacity;
    this.slots = new Uint32Array(oldCap * 2 * this.stride);
    this.expiry = new Float64Array(this.slots.buffer);
    this.mask = oldCap * 2 - 1;
    const key = new Uint32Array(this.keyWords);
    for (let i = 0; i < oldCap; i++) {
      const base = i * this.stride;
      if ((old[base + this.metaAt] & USED) === 0) continue;
      key.set(old.subarray(base, base + this.keyWords));
      const j = this.place(key);
      this.slots.set(old.subarray(base, base + this.stride), j * this.stride);
    }
  }
}
