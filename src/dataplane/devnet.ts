// The development and test topology: network namespaces that play hypervisor hosts and
// instances. Each instance's eth0 is one end of a veth pair whose other end (the port's
// interface) sits in its host; hosts route a /32 and /128 per port, like a routed cloud host,
// and reach each other over an underlay bridge. Nothing outside the namespaces it creates is
// touched: each prefix has a record of the namespaces dev-net made, and only those are removed.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { inNetns, run } from './exec.js';

export interface DevPort {
  /** Host namespace suffix; the host is `<prefix><host>`. */
  host: string;
  /** The port's interface in the host (at most 15 characters). */
  interface: string;
  /** The instance namespace suffix: `<prefix><instance>`. */
  instance: string;
  ipv4: string[];
  ipv6: string[];
}

export interface DevTopology {
  hosts: string[];
  ports: DevPort[];
  /** Namespace name prefix (default "pal-"): topologies with different prefixes coexist. */
  prefix?: string;
}

export const PREFIX = 'pal-';
export const hostNs = (host: string, prefix = PREFIX) => `${prefix}${host}`;
export const instanceNs = (instance: string, prefix = PREFIX) => `${prefix}${instance}`;
const underlayV4 = (i: number) => `192.168.255.${i + 1}`;
const underlayV6 = (i: number) => `fd00:ffff::${i + 1}`;
/** The gateway instances route to: an address every port interface of the host carries (IPv4 link-local, IPv6 fe80::1). */
const GATEWAY_V4 = '169.254.1.1';
const GATEWAY_V6 = 'fe80::1';

const ip = (ns: string, ...args: string[]) => run('ip', ['-n', ns, ...args]);
const sysctl = (ns: string, key: string, value: string) => inNetns(ns, 'sysctl', ['-qw', `${key}=${value}`]);

/** A refusal: a bad prefix or name, or a namespace in the way that dev-net did not create. */
export class DevNetError extends Error {}

/** iproute2 refuses netns names longer than NAME_MAX. */
const NETNS_NAME_MAX = 255;
/** 32 characters leave room for any port id (ids are at most 128) as the instance namespace. */
const PREFIX_MAX = 32;

export function checkPrefix(prefix: string): void {
  if (!new RegExp(`^[A-Za-z0-9_-]{1,${PREFIX_MAX}}$`).test(prefix))
    throw new DevNetError(
      `dev-net prefix "${prefix}": expected 1 to ${PREFIX_MAX} letters, digits, "-" or "_"`,
    );
}

// The record of what dev-net made, per prefix. It lives in /run, a tmpfs like /run/netns, so
// it is gone exactly when the namespaces are (at reboot). The prefix is a safe file name.
const RECORD_DIR = '/run/palisade/dev-net';
export const recordPath = (prefix: string) => `${RECORD_DIR}/${prefix}.json`;

/** The namespaces dev-net created with this prefix (none without a record). */
export async function createdNamespaces(prefix = PREFIX): Promise<string[]> {
  checkPrefix(prefix);
  const text = await readFile(recordPath(prefix), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '{"namespaces":[]}';
    throw e;
  });
  return (JSON.parse(text) as { namespaces: string[] }).namespaces;
}

async function writeRecord(prefix: string, namespaces: string[]): Promise<void> {
  await mkdir(RECORD_DIR, { recursive: true });
  // Written whole then renamed, so a crash never leaves half a record.
  const tmp = `${recordPath(prefix)}.tmp`;
  await writeFile(tmp, JSON.stringify({ namespaces }) + '\n');
  await rename(tmp, recordPath(prefix));
}

async function existingNamespaces(): Promise<Set<string>> {
  const list = await run('ip', ['netns', 'list']);
  return new Set(list.split('\n').map((line) => line.split(' ')[0]));
}

/**
 * Build a topology, replacing the one dev-net made with the same prefix. Refuses, changing
 * nothing, when a namespace it needs exists and dev-net did not create it.
 */
export async function devNetUp(topo: DevTopology): Promise<void> {
  const prefix = topo.prefix ?? PREFIX;
  checkPrefix(prefix);
  const UNDERLAY = `${prefix}underlay`;
  const needed = [
    UNDERLAY,
    ...topo.hosts.map((h) => hostNs(h, prefix)),
    ...topo.ports.map((p) => instanceNs(p.instance, prefix)),
  ];
  const tooLong = needed.filter((n) => n.length > NETNS_NAME_MAX);
  if (tooLong.length)
    throw new DevNetError(`namespace names longer than ${NETNS_NAME_MAX} characters: ${tooLong.join(', ')}`);
  const ours = new Set(await createdNamespaces(prefix));
  const existing = await existingNamespaces();
  const foreign = needed.filter((n) => existing.has(n) && !ours.has(n));
  if (foreign.length)
    throw new DevNetError(
      `namespaces ${foreign.join(', ')} already exist and dev-net did not create them: remove them (ip netns delete) or choose another --prefix`,
    );
  await devNetDown(prefix);
  // Recorded right after each is created, so a failure midway still leaves them to `down`.
  // (`ip netns add` fails on an existing name, so a namespace made meanwhile by someone else
  // is never recorded.)
  const created: string[] = [];
  const add = async (ns: string) => {
    await run('ip', ['netns', 'add', ns]);
    created.push(ns);
    await writeRecord(prefix, created);
  };
  await add(UNDERLAY);
  await ip(UNDERLAY, 'link', 'add', 'br0', 'type', 'bridge');
  await ip(UNDERLAY, 'link', 'set', 'br0', 'up');
  for (const [i, host] of topo.hosts.entries()) {
    const ns = hostNs(host, prefix);
    await add(ns);
    await ip(ns, 'link', 'set', 'lo', 'up');
    await sysctl(ns, 'net.ipv4.ip_forward', '1');
    await sysctl(ns, 'net.ipv6.conf.all.forwarding', '1');
    await sysctl(ns, 'net.ipv6.conf.default.accept_dad', '0');
    const peer = `ul-${i}`;
    await ip(ns, 'link', 'add', 'ul0', 'type', 'veth', 'peer', 'name', peer, 'netns', UNDERLAY);
    await ip(UNDERLAY, 'link', 'set', peer, 'master', 'br0', 'up');
    await ip(ns, 'addr', 'add', `${underlayV4(i)}/24`, 'dev', 'ul0');
    await ip(ns, '-6', 'addr', 'add', `${underlayV6(i)}/64`, 'dev', 'ul0', 'nodad');
    await ip(ns, 'link', 'set', 'ul0', 'up');
  }
  for (const port of topo.ports) await addPort(port, prefix, add);
  // Each host reaches the other hosts' ports through their underlay address.
  for (const [i, host] of topo.hosts.entries())
    for (const port of topo.ports) {
      const j = topo.hosts.indexOf(port.host);
      if (j === i) continue;
      for (const a of port.ipv4)
        await ip(hostNs(host, prefix), 'route', 'add', `${a}/32`, 'via', underlayV4(j));
      for (const a of port.ipv6)
        await ip(hostNs(host, prefix), '-6', 'route', 'add', `${a}/128`, 'via', underlayV6(j));
    }
}

async function addPort(port: DevPort, prefix: string, add: (ns: string) => Promise<void>): Promise<void> {
  const host = hostNs(port.host, prefix);
  const ns = instanceNs(port.instance, prefix);
  await add(ns);
  await ip(ns, 'link', 'set', 'lo', 'up');
  await sysctl(ns, 'net.ipv6.conf.default.accept_dad', '0');
  await ip(host, 'link', 'add', port.interface, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
  await ip(host, 'link', 'set', port.interface, 'up');
  await ip(host, 'addr', 'add', `${GATEWAY_V4}/32`, 'dev', port.interface);
  await ip(host, '-6', 'addr', 'add', `${GATEWAY_V6}/64`, 'dev', port.interface, 'nodad');
  await ip(ns, 'link', 'set', 'eth0', 'up');
  for (const a of port.ipv4) {
    await ip(ns, 'addr', 'add', `${a}/32`, 'dev', 'eth0');
    await ip(host, 'route', 'add', `${a}/32`, 'dev', port.interface);
  }
  if (port.ipv4.length) {
    await ip(ns, 'route', 'add', GATEWAY_V4, 'dev', 'eth0', 'scope', 'link');
    await ip(ns, 'route', 'add', 'default', 'via', GATEWAY_V4, 'dev', 'eth0');
  }
  for (const a of port.ipv6) {
    await ip(ns, '-6', 'addr', 'add', `${a}/128`, 'dev', 'eth0', 'nodad');
    await ip(host, '-6', 'route', 'add', `${a}/128`, 'dev', port.interface);
  }
  if (port.ipv6.length) await ip(ns, '-6', 'route', 'add', 'default', 'via', GATEWAY_V6, 'dev', 'eth0');
}

/**
 * Remove the namespaces dev-net created with this prefix (those that still exist) and their
 * record; others with the same prefix stay. Resolves to the names removed.
 */
export async function devNetDown(prefix = PREFIX): Promise<string[]> {
  const existing = await existingNamespaces();
  const removed = (await createdNamespaces(prefix)).filter((ns) => existing.has(ns));
  for (const ns of removed) {
    // What still runs in it (an agent's conntrack event listener left by a killed agent) would
    // outlive the namespace's name, idle and unreachable.
    const pids = (await run('ip', ['netns', 'pids', ns]).catch(() => '')).split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await run('ip', ['netns', 'delete', ns]);
  }
  // Kept until every delete succeeded, so a failed `down` can be run again.
  await rm(recordPath(prefix), { force: true });
  return removed;
}
