// The address sets rules can name as their remote: a security group (its members' private
// addresses) or an address group / prefix list (its CIDRs). Kept incrementally so that a
// membership or entry change yields the exact ranges that appeared or disappeared.
import { canonicalCidr, cidrFamily, ipFamily } from '../address.js';
import type { Ethertype } from '../model.js';
import { type AddrKey, cidrKeys } from './keys.js';

export type SetKey = `g:${string}` | `a:${string}`;
export const groupSet = (groupId: string): SetKey => `g:${groupId}`;
export const addressGroupSet = (id: string): SetKey => `a:${id}`;

export interface SetDelta {
  set: SetKey;
  ethertype: Ethertype;
  added: [AddrKey, AddrKey][];
  removed: [AddrKey, AddrKey][];
}

export class AddressSets {
  /** Per set: canonical CIDR (a /32 or /128 for member addresses) → reference count and span. */
  private readonly sets = new Map<SetKey, Map<string, Member>>();

  ranges(set: SetKey, ethertype: Ethertype): [AddrKey, AddrKey][] {
    const out: [AddrKey, AddrKey][] = [];
    for (const m of this.sets.get(set)?.values() ?? []) if (m.family === ethertype) out.push(m.span);
    return out;
  }

  /** Whether any CIDR of the set still contains the key. */
  covers(set: SetKey, ethertype: Ethertype, key: AddrKey): boolean {
    for (const [lo, hi] of this.ranges(set, ethertype)) if (lo <= key && key <= hi) return true;
    return false;
  }

  /** Add addresses or CIDRs; returns the ranges that became present. */
  add(set: SetKey, items: string[]): SetDelta[] {
    return this.change(set, items, +1);
  }

  remove(set: SetKey, items: string[]): SetDelta[] {
    return this.change(set, items, -1);
  }

  /** Replace an address group's entries; returns what appeared and disappeared. */
  replace(set: SetKey, items: string[]): SetDelta[] {
    const current = new Set(this.sets.get(set)?.keys() ?? []);
    const next = new Set(items.map(normalize));
    const gone = [...current].filter((c) => !next.has(c));
    const fresh = [...next].filter((c) => !current.has(c));
    return [...this.change(set, gone, -1), ...this.change(set, fresh, +1)];
  }

  private change(set: SetKey, items: string[], delta: 1 | -1): SetDelta[] {
    let counts = this.sets.get(set);
    if (!counts) this.sets.set(set, (counts = new Map()));
    const out = new Map<Ethertype, SetDelta>();
    for (const item of items) {
      const cidr = normalize(item);
      const family = cidrFamily(cidr);
      if (!family) continue;
      const member = counts.get(cidr) ?? { count: 0, family, span: cidrKeys(family, cidr) };
      const before = member.count;
      member.count = Math.max(0, before + delta);
      if (member.count === 0) counts.delete(cidr);
      else counts.set(cidr, member);
      if ((before === 0) === (member.count === 0)) continue;
      let d = out.get(family);
      if (!d) out.set(family, (d = { set, ethertype: family, added: [], removed: [] }));
      (member.count > 0 ? d.added : d.removed).push(member.span);
    }
    return [...out.values()];
  }
}

interface Member {
  count: number;
  family: Ethertype;
  span: [AddrKey, AddrKey];
}

function normalize(item: string): string {
  if (!item.includes('/')) {
    const fam = ipFamily(item);
    return canonicalCidr(`${item}/${fam === 'IPv4' ? 32 : 128}`);
  }
  return canonicalCidr(item);
}
