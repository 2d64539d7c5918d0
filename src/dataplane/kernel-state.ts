// What the kernel holds, read back as structure (`nft -j -p list table`): the revision the
// table renders, its chains (each rule's comment and verdict, as Calico checks a hash comment),
// sets and maps, and the cleared connections still blocked. The drift check and an agent's
// start compare it with a model (never printed text), so counters, element order, nft's own
// merging of adjacent prefixes and its address spelling are not differences.
import ipaddr from 'ipaddr.js';
import { own } from '../core/own.js';
import {
  baseChains,
  type BlockedFlow,
  CLEARED_GATE,
  type GateFamily,
  hasStateless,
  isClearedSet,
  REVISION_SET,
  statelessSets,
  verdictText,
} from './nft.js';
import { SYNC_SET } from './nft-session.js';
import type { KernelModel, NftRule, SetModel } from './render.js';

export interface KernelTable {
  /** The revision recorded in the table; null when the table predates the record (or lacks it). */
  revision: number | null;
  /** Chain → its rules' shapes ("comment|verdict"). */
  chains: Map<string, string[]>;
  /** Set → its elements, normalized (sorted addresses, or merged ranges for interval sets). */
  sets: Map<string, string[]>;
  /** Verdict map → interface → verdict. */
  maps: Map<string, Map<string, string>>;
  /** Connections still blocked after a clearing, with the seconds they have left. */
  blocked: BlockedFlow[];
  /** The families whose cleared sets the gate sends packets to. */
  gated: Set<GateFamily>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const isObject = (x: Json | undefined): x is JsonObject =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const field = (o: JsonObject, key: string): Json | undefined => own(o, key);

const VERDICTS = ['return', 'drop', 'accept', 'jump', 'goto', 'continue'];

/** The verdict of a rule's or map element's JSON, in nft's words ("jump x", "drop"). */
function verdictOf(items: Json[]): string {
  for (const item of items) {
    if (!isObject(item)) continue;
    for (const key of VERDICTS) {
      const v = field(item, key);
      if (v === undefined) continue;
      const target = isObject(v) ? field(v, 'target') : undefined;
      return typeof target === 'string' ? `${key} ${target}` : key;
    }
  }
  return '';
}

const ruleShape = (r: NftRule) => `${r.comment ?? ''}|${r.verdict ? verdictText(r.verdict) : ''}`;

function toBig(address: string): bigint {
  return ipaddr
    .parse(address)
    .toByteArray()
    .reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

/** An address, prefix or range as the inclusive range of addresses it covers. */
function span(lo: string, hiOrLen?: string | number): [bigint, bigint] {
  const bits = lo.includes(':') ? 128 : 32;
  const base = toBig(lo);
  if (typeof hiOrLen === 'string') return [base, toBig(hiOrLen)];
  const host = (1n << BigInt(bits - (hiOrLen ?? bits))) - 1n;
  return [base & ~host, base | host];
}

/** Ranges sorted and merged where they touch: how nft's auto-merge stores an interval set. */
function merged(spans: [bigint, bigint][]): string[] {
  const sorted = [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
    else out.push([lo, hi]);
  }
  return out.map(([lo, hi]) => `${lo}-${hi}`);
}

const canonical = (type: SetModel['type'], e: string) => (type === 'ifname' ? e : ipaddr.parse(e).toString());

/** A model set's elements as the kernel listing is normalized. */
function normalizeModelSet(set: SetModel): string[] {
  if (set.interval)
    return merged(
      [...set.elements].map((e) => {
        const [addr, len] = e.split('/');
        return span(addr, len === undefined ? undefined : Number(len));
      }),
    );
  return [...set.elements].map((e) => canonical(set.type, e)).sort();
}

function normalizeKernelSet(elems: Json[], type: Json | undefined, interval: boolean): string[] {
  if (!interval)
    return elems
      .map((e) =>
        typeof e === 'string' ? canonical(type === 'ifname' ? 'ifname' : 'ipv4_addr', e) : JSON.stringify(e),
      )
      .sort();
  const spans: [bigint, bigint][] = [];
  for (const e of elems) {
    if (typeof e === 'string') spans.push(span(e));
    else if (isObject(e)) {
      const prefix = field(e, 'prefix');
      const range = field(e, 'range');
      if (isObject(prefix)) spans.push(span(String(field(prefix, 'addr')), Number(field(prefix, 'len'))));
      else if (Array.isArray(range)) spans.push(span(String(range[0]), String(range[1])));
    }
  }
  return merged(spans);
}

function blockedOf(elems: Json[]): BlockedFlow[] {
  const out: BlockedFlow[] = [];
  for (const e of elems) {
    const inner = isObject(e) ? field(e, 'elem') : undefined;
    if (!isObject(inner)) continue;
    const val = field(inner, 'val');
    const concat = isObject(val) ? field(val, 'concat') : undefined;
    const expires = Number(field(inner, 'expires') ?? 0);
    if (!Array.isArray(concat) || !(expires > 0)) continue;
    const [src, dst, protocol, sport, dport] = concat;
    out.push({
      src: String(src),
      dst: String(dst),
      protocol: Number(protocol),
      ...(sport !== undefined ? { sport: Number(sport), dport: Number(dport) } : {}),
      timeoutS: expires,
    });
  }
  return out;
}

/** The table from `nft -j -p list table inet palisade`. */
export function parseTable(listing: string): KernelTable {
  const table: KernelTable = {
    revision: null,
    chains: new Map(),
    sets: new Map(),
    maps: new Map(),
    blocked: [],
    gated: new Set(),
  };
  const items = (JSON.parse(listing) as { nftables?: Json[] }).nftables ?? [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const chain = field(item, 'chain');
    const rule = field(item, 'rule');
    const set = field(item, 'set');
    const map = field(item, 'map');
    if (isObject(chain)) table.chains.set(String(field(chain, 'name')), []);
    if (isObject(rule)) {
      const name = String(field(rule, 'chain'));
      const expr = field(rule, 'expr');
      const comment = field(rule, 'comment');
      const shapes = table.chains.get(name) ?? [];
      shapes.push(
        `${typeof comment === 'string' ? comment : ''}|${verdictOf(Array.isArray(expr) ? expr : [])}`,
      );
      table.chains.set(name, shapes);
    }
    if (isObject(set)) {
      const name = String(field(set, 'name'));
      const elems = field(set, 'elem');
      const list = Array.isArray(elems) ? elems : [];
      const flags = field(set, 'flags');
      if (name === REVISION_SET) table.revision = typeof list[0] === 'number' ? list[0] : null;
      else if (isClearedSet(name)) table.blocked.push(...blockedOf(list));
      else
        table.sets.set(
          name,
          normalizeKernelSet(list, field(set, 'type'), Array.isArray(flags) && flags.includes('interval')),
        );
    }
    if (isObject(map)) {
      const entries = new Map<string, string>();
      const elems = field(map, 'elem');
      for (const e of Array.isArray(elems) ? elems : [])
        if (Array.isArray(e) && typeof e[0] === 'string') entries.set(e[0], verdictOf([e[1]]));
      const name = String(field(map, 'name'));
      if (name === CLEARED_GATE)
        for (const family of entries.keys())
          if (family === 'ipv4' || family === 'ipv6') table.gated.add(family);
      table.maps.set(name, entries);
    }
  }
  return table;
}

/**
 * The first difference between what the kernel holds and the model, in words; null when the
 * kernel enforces exactly the model.
 */
export function driftFrom(model: KernelModel, kernel: KernelTable): string | null {
  if (kernel.revision === null) return 'the table has no revision record';
  const sets = new Map([...model.sets, ...statelessSets(model)]);
  const expectSets = new Set([...sets.keys(), SYNC_SET]);
  for (const name of kernel.sets.keys()) if (!expectSets.has(name)) return `unexpected set ${name}`;
  for (const [name, set] of sets) {
    const have = kernel.sets.get(name);
    if (!have) return `set ${name} is missing`;
    if (have.join(',') !== normalizeModelSet(set).join(',')) return `set ${name} has other elements`;
  }
  const base = baseChains(model.timeouts !== null, hasStateless(model));
  const expectChains = new Set([...model.chains.keys(), ...base.keys()]);
  for (const name of kernel.chains.keys()) if (!expectChains.has(name)) return `unexpected chain ${name}`;
  for (const [name, rules] of model.chains) {
    const have = kernel.chains.get(name);
    if (!have) return `chain ${name} is missing`;
    if (have.join('\n') !== rules.map(ruleShape).join('\n')) return `chain ${name} has other rules`;
  }
  for (const [name, lines] of base) {
    // A hook chain's first statement declares the hook; the others are rules.
    const rules = lines.filter((l) => !l.startsWith('type ')).length;
    if (kernel.chains.get(name)?.length !== rules) return `base chain ${name} has other rules`;
  }
  for (const [name, entries] of [
    ['egress_ports', model.egress],
    ['ingress_ports', model.ingress],
  ] as const) {
    const have = kernel.maps.get(name);
    if (!have) return `map ${name} is missing`;
    if (have.size !== entries.size) return `map ${name} has ${have.size} entries, not ${entries.size}`;
    for (const [iface, verdict] of entries)
      if (have.get(iface) !== verdictText(verdict)) return `map ${name} sends ${iface} elsewhere`;
  }
  return null;
}
