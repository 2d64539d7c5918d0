// A proposed rule change and its preview: the write sent with ?preview=true (docs/analysis.md
// "Change preview": decided exactly as for real, stored nowhere) answers the packets it newly
// allows and denies and the live connections the agents listed that it will cut.
import type { Client } from '../api';
import type { SimulationChange } from './simulate';

export interface ProposedChange {
  /** "Add an inbound rule", "Delete rule sgr-1". */
  title: string;
  /** The label of the button that makes the write. */
  save: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The same change as a simulation's hypothetical steps. */
  simulation: SimulationChange[];
  /** The preview or the write was refused: the form shows why (at its fields). */
  onRefused: (error: Error) => void;
  /** Stored. */
  onSaved: () => void;
}

interface DeciderView {
  kind: string;
  ruleId?: string;
  groupId?: string;
  action?: string;
  verdict?: string;
}

export interface BoxView {
  protocols: string[];
  ports: string[];
  icmp: string[];
  sourcePorts: string[];
  remote: string[];
}

export interface DiffPiece {
  packets: { boxes: BoxView[]; more: number };
  before: DeciderView;
  after: DeciderView;
}

export interface PortDifference {
  portId: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  newlyAllowed: DiffPiece[];
  newlyDenied: DiffPiece[];
}

export interface CutConnection {
  portId: string;
  host: string | null;
  protocol: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  origin: 'inbound' | 'outbound';
  state: string;
  reason: 'clearedByPolicy' | 'reevaluatedDeny' | 'portLeft';
  because: string;
}

export interface Preview {
  revision: number;
  status: number;
  equivalent: boolean;
  ports: PortDifference[];
  connections: {
    cut: CutConnection[];
    listedHosts: { host: string; reportedAt: string; connections: number }[];
    modelled: { portId: string; effect: 'inboundCleared' | 'reevaluated' | 'forgotten'; because: string }[];
  };
}

const withPreview = (path: string) => `${path}${path.includes('?') ? '&' : '?'}preview=true`;

export function previewOf(api: Client, change: ProposedChange): Promise<Preview> {
  return write<Preview>(api, change, withPreview(change.path));
}

export function saveOf(api: Client, change: ProposedChange): Promise<unknown> {
  return write(api, change, change.path);
}

function write<T>(api: Client, change: ProposedChange, path: string): Promise<T> {
  if (change.method === 'POST') return api.post<T>(path, change.body);
  if (change.method === 'PATCH') return api.patch<T>(path, change.body);
  return api.delete<T>(path);
}

const PROTOCOL_NAMES = new Map([
  ['1', 'icmp'],
  ['6', 'tcp'],
  ['17', 'udp'],
  ['58', 'icmpv6'],
  ['132', 'sctp'],
  ['47', 'gre'],
  ['0-255', 'all'],
]);
export const protocolText = (p: string | number) => PROTOCOL_NAMES.get(String(p)) ?? String(p);

export function deciderText(d: DeciderView): string {
  if (d.kind === 'rule') return `rule ${d.ruleId ?? ''} (${d.action ?? ''})`;
  if (d.kind === 'default') return `no rule: ${d.verdict ?? ''} by default`;
  if (d.kind === 'innerAccess') return `same-group access (${d.verdict ?? ''})`;
  return d.kind;
}

export const REASON_TEXT: Record<CutConnection['reason'], string> = {
  clearedByPolicy: "cleared by the profile's clearing policy",
  reevaluatedDeny: 'denied by the new rules on re-evaluation',
  portLeft: 'its port goes away',
};
