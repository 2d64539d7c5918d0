// How the analysis answers' packet boxes read: IP protocol numbers as their names, "any" as
// "all", one line per box ("tcp 22, 80-81", "icmp 8/0", "all protocols").

/** A box of first packets as the reachability answer gives it (responses.ts ServiceBox). */
export interface ServiceBox {
  ethertype: 'IPv4' | 'IPv6';
  protocols: string[];
  ports: string[];
  icmp: string[];
  sourcePorts: string[];
}

export interface Services {
  boxes: ServiceBox[];
  more: number;
}

const NAMES = new Map([
  ['1', 'icmp'],
  ['6', 'tcp'],
  ['17', 'udp'],
  ['47', 'gre'],
  ['58', 'icmpv6'],
  ['132', 'sctp'],
]);
/** The protocol names the filters offer, with their numbers. */
export const PROTOCOL_NUMBERS = new Map([...NAMES].map(([number, name]) => [name, Number(number)]));

/** An IP protocol number's name where it has one. */
export const protocolName = (n: number) => NAMES.get(String(n)) ?? `protocol ${n}`;

const protocolText = (p: string) => (p === '0-255' ? 'all protocols' : (NAMES.get(p) ?? `protocol ${p}`));

export function boxText(box: ServiceBox): string {
  const protocols = box.protocols.map(protocolText).join(', ');
  const l4 = box.icmp[0] !== 'any' ? box.icmp : box.ports[0] !== 'any' ? box.ports : [];
  const source = box.sourcePorts[0] !== 'any' ? ` from source ports ${box.sourcePorts.join(', ')}` : '';
  const family = box.ethertype === 'IPv6' ? ' (IPv6)' : '';
  return `${protocols}${l4.length ? ` ${l4.join(', ')}` : ''}${source}${family}`;
}

export function servicesText(services: Services): string {
  const text = services.boxes.map(boxText).join('; ');
  return services.more ? `${text}; and ${services.more} more` : text;
}

/** Whether a "from-to" or single value of a box's list holds `n` ("any" holds everything). */
function holds(values: readonly string[], n: number): boolean {
  return values.some((v) => {
    if (v === 'any') return true;
    const [from, to = from] = v.split('-').map(Number);
    return from !== undefined && to !== undefined && n >= from && n <= to;
  });
}

/** Protocols with destination ports (tcp, udp, sctp). */
const PORTED = [6, 17, 132];

/**
 * Whether some box lets protocol `protocol` (a number; undefined: any) through to destination
 * port `port` (undefined: any; a port only matches a box of a protocol that has ports).
 */
export function servicesAllow(
  services: Services,
  protocol: number | undefined,
  port: number | undefined,
): boolean {
  return services.boxes.some(
    (box) =>
      (protocol === undefined || holds(box.protocols, protocol)) &&
      (port === undefined ||
        (holds(box.ports, port) && PORTED.some((p) => (protocol ?? p) === p && holds(box.protocols, p)))),
  );
}
