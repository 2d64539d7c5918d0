// POST /v1/regions/{id}/flows:check as the traffic check uses it: the packet from the page's
// query string, and the answer's shape (responses.ts FlowCheckResult, Explanation).
import { type Client, seg } from '../api';

export interface RuleRef {
  groupId: string;
  groupName: string;
  groupSequence: number;
  ruleId: string;
  priority: number;
  action: 'allow' | 'deny';
  /** The rule's place in the port's evaluation order, 0 first. */
  position: number;
}

export type DecidedBy =
  | ({ kind: 'rule' } & RuleRef)
  | { kind: 'innerAccess'; groupId: string; groupName: string; policy: 'Accept' | 'Drop' }
  | { kind: 'default'; reason: string };

export interface Explanation {
  portId: string;
  direction: 'ingress' | 'egress';
  verdict: 'allow' | 'deny';
  decidedBy: DecidedBy;
  /** Every rule that matched, in evaluation order, the decider first. */
  matched: RuleRef[];
}

export interface FlowSide {
  /** null: the address is no Palisade port's, or the port is another tenant's. */
  portId: string | null;
  explanation: Explanation | null;
  /** Another tenant's side: its verdict without its rules. */
  verdict?: 'allow' | 'deny';
}

export interface FlowCheckResult {
  packet: { ethertype: string; protocol: number; src: string; dst: string; dstPort?: number };
  verdict: 'allow' | 'deny';
  egress: FlowSide;
  ingress: FlowSide;
}

/** The form's fields, as the query string holds them (all text). */
export interface CheckForm {
  region: string;
  from: string;
  to: string;
  protocol: string;
  port: string;
  srcPort: string;
  icmpType: string;
  icmpCode: string;
  ethertype: string;
}

export const FORM_KEYS = [
  'region',
  'from',
  'to',
  'protocol',
  'port',
  'srcPort',
  'icmpType',
  'icmpCode',
  'ethertype',
] as const satisfies readonly (keyof CheckForm)[];

export const hasPorts = (protocol: string) => ['tcp', 'udp', 'sctp'].includes(protocol);
export const isIcmp = (protocol: string) => protocol === 'icmp' || protocol === 'icmpv6';

export function formOf(search: URLSearchParams): CheckForm {
  const form = {} as CheckForm;
  for (const key of FORM_KEYS) form[key] = search.get(key) ?? '';
  if (!form.protocol) form.protocol = 'tcp';
  return form;
}

/** The numbers the API takes as integers; text that is not one goes as sent, for the API to refuse. */
const numberOr = (text: string): number | string => (/^\d+$/.test(text) ? Number(text) : text);

/** The request body: only the fields that are set and apply to the protocol. */
export function checkBody(form: CheckForm): Record<string, unknown> {
  const body: Record<string, unknown> = {
    from: form.from.trim(),
    to: form.to.trim(),
    protocol: numberOr(form.protocol),
  };
  if (hasPorts(form.protocol) && form.port) body.dstPort = numberOr(form.port);
  if (hasPorts(form.protocol) && form.srcPort) body.srcPort = numberOr(form.srcPort);
  if (isIcmp(form.protocol) && form.icmpType) body.icmpType = numberOr(form.icmpType);
  if (isIcmp(form.protocol) && form.icmpCode) body.icmpCode = numberOr(form.icmpCode);
  if (form.ethertype) body.ethertype = form.ethertype;
  return body;
}

export const checkFlow = (api: Client, form: CheckForm) =>
  api.post<FlowCheckResult>(`/v1/regions/${seg(form.region)}/flows:check`, checkBody(form));
