// The development and test topology: network namespaces that play hypervisor hosts and
// instances. Each instance's eth0 is one end of a veth pair whose other end (the port's
// interface) sits in its host; hosts route a /32 and /128 per port, like a routed cloud host,
// and reach each other over an underlay bridge. Nothing outside the namespaces it creates is touched.
import { inNetns, run } from './exec.js';

export interface DevPort {
  /** Host namespace suffix; the host is `pal-<host>`. */
  host: string;
  /** The port's interface in the host (at most 15 characters). */
  interface: string;
  /** The instance namespace suffix: `pal-<instance>`. */
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

export async function devNetUp(topo: DevTopology): Promise<void> {
  const prefix = topo.prefix ?? PREFIX;
  const UNDERLAY = `${prefix}underlay`;
  await devNetDown(prefix);
  await run('ip', ['netns', 'add', UNDERLAY]);
  await ip(UNDERLAY, 'link', 'add', 'br0', 'type', 'bridge');
  await ip(UNDERLAY, 'link', 'set', 'br0', 'up');
  for (const [i, host] of topo.hosts.entries()) {
    const ns = hostNs(host, prefix);
    await run('ip', ['netns', 'add', ns]);
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
  for (const port of topo.ports) await addPort(port, prefix);
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

async function addPort(port: DevPort, prefix: string): Promise<void> {
  const host = hostNs(port.host, prefix);
  const ns = instanceNs(port.instance, prefix);
  await run('ip', ['netns', 'add', ns]);
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

/** Remove every namespace of a topology (all named with its prefix). */
export async function devNetDown(prefix = PREFIX): Promise<void> {
  const list = await run('ip', ['netns', 'list']);
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (name.startsWith(prefix)) await run('ip', ['netns', 'delete', name]).catch(() => undefined);
  }
}
