// The objects fuzz cases name: fixed ones (made once) and "victims" (made fresh, on demand, for
// the cases that delete), referred to symbolically (Ref) so that a case is generated from the seed
// alone and gets its ids when it is sent. Writes made here are counted: the loop re-reads the
// change revision after them, so they never count against the request under test.
import { Ref, resolveRefs } from './schema.js';

export class Fixtures {
  writes = 0;
  readonly ids: Record<string, string> = {};
  private readonly victims = new Map<string, string>();
  private n = 0;

  /** `makers[kind](n)` makes a fresh object of that kind and answers its id. */
  constructor(private readonly makers: Record<string, (n: number) => Promise<string>> = {}) {}

  /** The id of `victim:<kind>` refs not yet used up, or a fresh one. */
  private async victim(name: string): Promise<string> {
    const existing = this.victims.get(name);
    if (existing !== undefined) return existing;
    const kind = name.slice('victim:'.length);
    const make = this.makers[kind];
    if (!make) throw new Error(`no victim maker for ${kind}`);
    this.writes++;
    let id: string;
    try {
      id = await make(++this.n);
    } catch (e) {
      // A maker can fail when a case changed the fixtures (a quota lowered): the case goes on
      // with an id that names nothing.
      id = `fz-victim-unavailable-${this.n}`;
      void e;
    }
    this.victims.set(name, id);
    return id;
  }

  /** Every Ref in the value replaced by its id (victims made first); the victims it used. */
  async resolve(v: unknown): Promise<{ value: unknown; used: string[] }> {
    const names = new Set<string>();
    const walk = (x: unknown) => {
      if (x instanceof Ref) names.add(x.name);
      else if (Array.isArray(x)) x.forEach(walk);
      else if (typeof x === 'object' && x !== null) Object.values(x).forEach(walk);
    };
    walk(v);
    const victims = new Map<string, string>();
    for (const name of names) if (name.startsWith('victim:')) victims.set(name, await this.victim(name));
    const used = [...victims.keys()];
    const value = resolveRefs(v, (name) => victims.get(name) ?? this.ids[name] ?? `fz-unknown-${name}`);
    return { value, used };
  }

  /**
   * Makes the fixed objects anew (fresh ids), after the server accepted a request it should have
   * refused: what that request stored (a rule whose protocol is an object, say) would otherwise
   * break every later case on the same group, hiding what those cases provoke themselves.
   */
  renewer: (() => Promise<void>) | undefined;

  async renew(): Promise<void> {
    if (!this.renewer) return;
    this.writes++;
    await this.renewer();
  }

  /** An answer that succeeded used its victims up (they were deleted, or are in use now). */
  consumed(used: string[]): void {
    for (const name of used) this.victims.delete(name);
  }
}

/** A client of the native API the makers below write through. */
interface Poster {
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
}

/**
 * Victim makers through the native API, for a front end's cases: a fresh empty group, a rule
 * of `group`, an address group (an Alibaba prefix list).
 */
export function nativeMakers(tenant: Poster, regionId: string, vpcId: string, group: string) {
  return {
    group: async (n: number) =>
      (
        await tenant.post<{ id: string }>('/v1/security-groups', {
          regionId,
          vpcId,
          name: `v${n}`,
          template: 'empty',
        })
      ).id,
    rule: async (n: number) =>
      (
        await tenant.post<{ id: string }>(`/v1/security-groups/${group}/rules`, {
          direction: 'ingress',
          protocol: 'tcp',
          ports: String(1000 + n),
          remoteIpPrefix: '10.0.0.0/8',
        })
      ).id,
    addressGroup: async (n: number) =>
      (
        await tenant.post<{ id: string }>('/v1/address-groups', {
          regionId,
          name: `vag${n}`,
          entries: ['192.0.2.0/24'],
        })
      ).id,
  };
}
