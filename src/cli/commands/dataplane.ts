// palisade agent (the host agent) and palisade dev-net up|down (the namespace topology).
import { type Command, InvalidArgumentError } from 'commander';
import { Agent } from '../../agent/agent.js';
import {
  checkPrefix,
  DevNetError,
  type DevTopology,
  devNetDown,
  devNetUp,
  hostNs,
  instanceNs,
  PREFIX,
} from '../../dataplane/devnet.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { apiAction, clientFor, type Json, listAll, table } from '../remote.js';

/** The topology of the ports the server knows with a host and an interface. */
export function topologyOf(instances: Json[]): DevTopology {
  const ports = instances.flatMap((i) =>
    i.ports
      .filter((p: Json) => p.host && p.interface)
      .map((p: Json) => ({
        host: p.host,
        interface: p.interface,
        instance: p.id,
        ipv4: p.ipv4,
        ipv6: p.ipv6,
      })),
  );
  return { hosts: [...new Set<string>(ports.map((p: Json) => p.host))], ports };
}

export function dataplaneCommands(program: Command, io: Io, exit: (code: number) => void): void {
  program
    .command('agent')
    .description("enforce this host's ports in the kernel (nftables, conntrack), following the server")
    .requiredOption('--host <name>', 'the host name ports carry in the control plane')
    .option('--netns <name>', 'run the kernel tools in this network namespace (dev-net hosts: pal-<host>)')
    .action(async (o: { host: string; netns?: string }, cmd: Command) => {
      const log = (msg: string, fields?: Record<string, unknown>) =>
        io.err(JSON.stringify({ time: new Date().toISOString(), host: o.host, msg, ...fields }));
      const agent = new Agent(clientFor(cmd), { host: o.host, netns: o.netns, log });
      await agent.start();
      io.out(`agent for host ${o.host} enforcing revision ${agent.revision}`);
      await new Promise<void>((resolve) => {
        const stop = () => void agent.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      exit(EXIT.ok);
    });

  program
    .command('status')
    .description("whether each region's latest change is enforced on every host, closed ports, rule hits")
    .option('--region <id>', 'one region')
    .option('--json', 'print JSON')
    .action(
      apiAction(io, exit, async (client, o: Json) => {
        const s = await client.get<Json>(
          `/v1/status${o.region ? `?regionId=${encodeURIComponent(o.region)}` : ''}`,
        );
        const text = () =>
          s.regions
            .map((r: Json) =>
              [
                `region ${r.regionId}: revision ${r.revision}, ${r.enforcedEverywhere ? 'enforced everywhere' : 'NOT yet enforced everywhere'}`,
                table<Json>(r.hosts, [
                  ['host', (h) => h.host],
                  ['ports', (h) => h.ports],
                  ['enforces', (h) => h.enforcedRevision ?? 'never reported'],
                  ['up to date', (h) => (h.upToDate ? 'yes' : 'no')],
                  ['closed ports', (h) => h.closed.map((c: Json) => `${c.portId} (${c.reason})`)],
                  ['reported', (h) => h.reportedAt],
                ]),
              ].join('\n'),
            )
            .join('\n\n');
        return { value: s, text };
      }),
    );

  const devnet = program
    .command('dev-net')
    .description('network namespaces that play hosts and instances (development, tests)');
  const prefixHelp =
    'namespace name prefix (letters, digits, - and _, at most 32): topologies with different prefixes coexist';
  // dev-net's refusal (a namespace in the way) is a usage error, not a crash.
  const usage = (e: unknown): never => {
    throw e instanceof DevNetError ? new UsageError(e.message) : e;
  };
  devnet
    .command('up')
    .description(
      'create namespaces for every port the server knows with a host and an interface, replacing the ones dev-net made with this prefix',
    )
    .option('--prefix <prefix>', prefixHelp, parsePrefix, PREFIX)
    .action(async (o: { prefix: string }, cmd: Command) => {
      const instances = await listAll<Json>(clientFor(cmd), '/v1/instances', true);
      const topo = { ...topologyOf(instances), prefix: o.prefix };
      if (!topo.ports.length)
        throw new UsageError(
          'no port has a host and an interface: set them with `palisade instance create --port ...,host=H,interface=I`',
        );
      await devNetUp(topo).catch(usage);
      for (const host of topo.hosts) {
        const ns = hostNs(host, o.prefix);
        io.out(`host ${host}: namespace ${ns} (palisade agent --host ${host} --netns ${ns})`);
      }
      for (const p of topo.ports)
        io.out(
          `  port ${p.instance} on ${p.host}/${p.interface}: ${[...p.ipv4, ...p.ipv6].join(' ')} (namespace ${instanceNs(p.instance, o.prefix)})`,
        );
      exit(EXIT.ok);
    });
  devnet
    .command('down')
    .description('remove the namespaces dev-net made with this prefix (no others, even with the same prefix)')
    .option('--prefix <prefix>', prefixHelp, parsePrefix, PREFIX)
    .action(async (o: { prefix: string }) => {
      const removed = await devNetDown(o.prefix);
      io.out(
        removed.length
          ? `removed the dev-net namespaces of prefix ${o.prefix}: ${removed.join(' ')}`
          : `no dev-net namespaces of prefix ${o.prefix} to remove`,
      );
      exit(EXIT.ok);
    });
}

/** --prefix, checked as the command line is parsed (before the server is asked anything). */
function parsePrefix(prefix: string): string {
  try {
    checkPrefix(prefix);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return prefix;
}
