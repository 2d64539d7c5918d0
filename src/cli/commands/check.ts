// palisade check: would this packet pass? The verdict of the sender's egress and the
// receiver's ingress policy, with the deciding rule of each side and what else matched.
import type { Command } from 'commander';
import { clientFor, reportApiError } from '../remote.js';
import { ipFamily } from '../../core/address.js';
import { Engine } from '../../core/engine.js';
import type { Packet, RegionState } from '../../core/model.js';
import { PROTOCOL_NUMBERS } from '../../core/model.js';
import { own } from '../../core/own.js';
import type { Explanation, FlowCheck, FlowSide } from '../../core/verdict.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { formatErrors, readPolicy } from '../policy-file.js';

interface CheckOptions {
  policy?: string;
  region?: string;
  from: string;
  to: string;
  proto: string;
  icmpType?: string;
  icmpCode?: string;
  json?: boolean;
}

/** "10.0.0.1", "10.0.0.1:80", "[2001:db8::1]:443", "2001:db8::1", or a port id. */
export function parseEndpoint(text: string, state: RegionState, flag: string): { ip: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  const [host, portText] = bracketed
    ? [bracketed[1], bracketed[2]]
    : ipFamily(text) || !hostPort
      ? [text, undefined]
      : [hostPort[1], hostPort[2]];
  let ip = host;
  if (!ipFamily(host)) {
    const port = state.instances.flatMap((i) => i.ports).find((p) => p.id === host);
    if (!port)
      throw new UsageError(
        `${flag} "${text}" is neither an IP address (optionally :PORT) nor a port id of the policy`,
      );
    ip = port.ipv4[0] ?? port.ipv6[0];
    if (!ip) throw new UsageError(`${flag} port ${host} has no address`);
  }
  return portText === undefined ? { ip } : { ip, port: portNumber(portText, flag) };
}

function portNumber(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`${flag} port ${text} is outside 0-65535`);
  return port;
}

function parseProtocol(text: string): number {
  const named = own(PROTOCOL_NUMBERS, text.toLowerCase());
  if (named !== undefined) return named;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 255)
    throw new UsageError(
      `--proto "${text}" is not tcp, udp, icmp, icmpv6, gre, sctp or a protocol number 0-255`,
    );
  return n;
}

function byte(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new UsageError(`${flag} ${text} is outside 0-255`);
  return n;
}

const hasPorts = (protocol: number) => [6, 17, 132].includes(protocol); // tcp, udp, sctp

/**
 * What both modes refuse before evaluating: tcp/udp/sctp without a port, ICMP fields on other
 * protocols. Returns the ICMP fields, parsed.
 */
function validatePacketShape(opts: CheckOptions, protocol: number, toPort: number | undefined) {
  if (hasPorts(protocol) && toPort === undefined)
    throw new UsageError(`--to needs a port for ${opts.proto}: ADDR:PORT`);
  const icmpType = byte(opts.icmpType, '--icmp-type');
  const icmpCode = byte(opts.icmpCode, '--icmp-code');
  if ((icmpType ?? icmpCode) !== undefined && protocol !== 1 && protocol !== 58)
    throw new UsageError('--icmp-type and --icmp-code need --proto icmp or icmpv6');
  return { icmpType, icmpCode };
}

export function buildPacket(opts: CheckOptions, state: RegionState): Packet {
  const from = parseEndpoint(opts.from, state, '--from');
  const to = parseEndpoint(opts.to, state, '--to');
  const ethertype = ipFamily(from.ip)!;
  if (ipFamily(to.ip) !== ethertype)
    throw new UsageError(`--from ${from.ip} and --to ${to.ip} are of different address families`);
  const protocol = parseProtocol(opts.proto);
  const { icmpType, icmpCode } = validatePacketShape(opts, protocol, to.port);
  const packet: Packet = { ethertype, protocol, src: from.ip, dst: to.ip };
  if (hasPorts(protocol)) {
    packet.srcPort = from.port ?? 40000;
    packet.dstPort = to.port;
  }
  if (protocol === 1 || protocol === 58) {
    packet.icmpType = icmpType ?? (protocol === 1 ? 8 : 128); // echo request
    if (icmpCode !== undefined || icmpType === undefined) packet.icmpCode = icmpCode ?? 0;
  }
  return packet;
}

function describeDecider(e: Explanation): string {
  const d = e.decidedBy;
  if (d.kind === 'rule')
    return `rule ${d.ruleId} (group ${d.groupId} #${d.groupSequence + 1}, priority ${d.priority}, ${d.action})`;
  if (d.kind === 'innerAccess') return `same-group access of ${d.groupId} (innerAccessPolicy ${d.policy})`;
  return `default: ${d.reason}`;
}

function sideRows(name: string, side: FlowSide): string[][] {
  if (!side.explanation) return [[name, '(outside)', 'allow', 'not a Palisade port: no policy applies']];
  const e = side.explanation;
  const rows = [[name, side.portId ?? '', e.verdict, describeDecider(e)]];
  const others = e.matched.filter((m) => !(e.decidedBy.kind === 'rule' && m.ruleId === e.decidedBy.ruleId));
  for (const m of others)
    rows.push([
      '',
      '',
      '',
      `also matched: rule ${m.ruleId} (group ${m.groupId}, priority ${m.priority}, ${m.action})`,
    ]);
  return rows;
}

export function renderFlow(packet: Packet, flow: FlowCheck): string {
  const at = (ip: string, port?: number) =>
    port === undefined ? ip : packet.ethertype === 'IPv6' ? `[${ip}]:${port}` : `${ip}:${port}`;
  const what =
    packet.icmpType !== undefined
      ? ` type ${packet.icmpType}${packet.icmpCode !== undefined ? ` code ${packet.icmpCode}` : ''}`
      : '';
  const name =
    Object.entries(PROTOCOL_NUMBERS).find(([, n]) => n === packet.protocol)?.[0] ??
    `protocol ${packet.protocol}`;
  const head = `${flow.verdict.toUpperCase()}  ${name}${what}  ${at(packet.src, packet.srcPort)} -> ${at(packet.dst, packet.dstPort)}`;
  const rows = [
    ['side', 'port', 'verdict', 'decided by'],
    ...sideRows('egress', flow.egress),
    ...sideRows('ingress', flow.ingress),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell))
      .join('  ')
      .trimEnd(),
  );
  return [head, '', ...lines].join('\n');
}

/** "10.0.0.1:80", "[2001:db8::1]:443", "port-x" → what flows:check takes; the server resolves port ids. */
function remoteEndpoint(text: string, flag: string): { at: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed)
    return {
      at: bracketed[1],
      port: bracketed[2] === undefined ? undefined : portNumber(bracketed[2], flag),
    };
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort && !ipFamily(text)) return { at: hostPort[1], port: portNumber(hostPort[2], flag) };
  return { at: text };
}

/**
 * Ask the server (its stored policy) instead of a policy file. Exit 1 means "denied" only: a
 * refused request (unknown region or port, bad key, server down) is 2, like a policy that does not load.
 */
async function checkRemote(
  cmd: Command,
  opts: CheckOptions,
  io: Io,
  exit: (code: number) => void,
): Promise<void> {
  const from = remoteEndpoint(opts.from, '--from');
  const to = remoteEndpoint(opts.to, '--to');
  const protocol = parseProtocol(opts.proto);
  const { icmpType, icmpCode } = validatePacketShape(opts, protocol, to.port);
  const body = {
    from: from.at,
    to: to.at,
    protocol,
    ...(from.port !== undefined ? { srcPort: from.port } : {}),
    ...(to.port !== undefined ? { dstPort: to.port } : {}),
    ...(icmpType !== undefined ? { icmpType } : {}),
    ...(icmpCode !== undefined ? { icmpCode } : {}),
  };
  try {
    const flow = await clientFor(cmd).post<FlowCheck & { packet: Packet }>(
      `/v1/regions/${opts.region}/flows:check`,
      body,
    );
    io.out(opts.json ? JSON.stringify(flow, null, 2) : renderFlow(flow.packet, flow));
    exit(flow.verdict === 'allow' ? EXIT.ok : EXIT.negative);
  } catch (e) {
    reportApiError(io, e);
    exit(EXIT.usage);
  }
}

export function checkCommand(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('check')
    .description('check whether a packet would pass, and explain which rule of which group decided it')
    .option('--policy <file>', 'policy file (YAML or JSON)')
    .option('--region <id>', "ask the server about this region's stored policy instead")
    .requiredOption('--from <addr[:port]>', 'sender address (or a port id); [IPv6]:port for IPv6')
    .requiredOption('--to <addr:port>', 'receiver address and port (or a port id)')
    .requiredOption('--proto <protocol>', 'tcp, udp, icmp, icmpv6, gre, sctp or a number')
    .option('--icmp-type <n>', 'ICMP type (default 8 / 128: echo request)')
    .option('--icmp-code <n>', 'ICMP code')
    .option('--json', 'print the verdict and explanations as JSON')
    .action(async (opts: CheckOptions, cmd: Command) => {
      if (opts.region !== undefined && opts.policy === undefined) return checkRemote(cmd, opts, io, exit);
      if (opts.policy === undefined || opts.region !== undefined)
        throw new UsageError(
          'give either --policy FILE (check a policy file) or --region ID (ask the server)',
        );
      const { state, errors } = readPolicy(io, opts.policy);
      if (!state) {
        io.err(`${opts.policy} is not a valid policy:\n${formatErrors(errors)}`);
        return exit(EXIT.usage);
      }
      const packet = buildPacket(opts, state);
      const flow = new Engine(state).checkFlow(packet);
      io.out(opts.json ? JSON.stringify({ packet, ...flow }, null, 2) : renderFlow(packet, flow));
      exit(flow.verdict === 'allow' ? EXIT.ok : EXIT.negative);
    });
}
