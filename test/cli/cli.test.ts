import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/program.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => readFileSync(p, 'utf8'),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('palisade check', () => {
  it('prints the verdict and the deciding rule of each side (huawei A02)', async () => {
    const r = await cli(
      'check',
      '--policy',
      'examples/huawei.yaml',
      '--from',
      '10.0.1.11',
      '--to',
      '10.0.0.11:25',
      '--proto',
      'tcp',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ALLOW {2}tcp {2}10\.0\.1\.11:40000 -> 10\.0\.0\.11:25/);
    expect(r.out).toMatch(/egress\s+ecs-b01-eth0\s+allow\s+rule B01/);
    expect(r.out).toMatch(/ingress\s+ecs-a01-eth0\s+allow\s+rule A02 \(group Sg-A #2, priority 1, allow\)/);
  });

  it('exits 1 on deny and names the deny rule; port ids work as endpoints', async () => {
    const r = await cli(
      'check',
      '--policy',
      'examples/huawei.yaml',
      '--from',
      '192.168.4.4',
      '--to',
      'ecs-a01-eth0:3389',
      '--proto',
      'tcp',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^DENY/);
    expect(r.out).toMatch(
      /ingress\s+ecs-a01-eth0\s+deny\s+rule Q01 \(group quarantine #1, priority 1, deny\)/,
    );
    expect(r.out).toMatch(/egress\s+\(outside\)/);
  });

  it('lists the other rules that matched, and the default when none did', async () => {
    const also = await cli(
      'check',
      '--policy',
      'examples/huawei.yaml',
      '--from',
      '192.168.4.4',
      '--to',
      '10.0.0.11:23',
      '--proto',
      'tcp',
    );
    expect(also.out).toMatch(/rule A04/);
    const none = await cli(
      'check',
      '--policy',
      'examples/huawei.yaml',
      '--from',
      '8.8.8.8',
      '--to',
      '10.0.0.11:8080',
      '--proto',
      'tcp',
    );
    expect(none.code).toBe(1);
    expect(none.out).toMatch(
      /default: no ingress rule of quarantine, Sg-A matched; Huawei groups are whitelists/,
    );
  });

  it('--json gives the packet, the verdict and both explanations (IPv6)', async () => {
    const r = await cli(
      'check',
      '--policy',
      'examples/openstack.yaml',
      '--from',
      '[2001:db8::9]:5000',
      '--to',
      '[2001:db8::5]:22',
      '--proto',
      'tcp',
      '--json',
    );
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({
      verdict: 'deny',
      packet: { ethertype: 'IPv6', srcPort: 5000, dstPort: 22 },
      ingress: { portId: 'ecs-1-port', explanation: { decidedBy: { kind: 'default' } } },
    });
  });

  it('ICMP type and code, alibaba innerAccessPolicy', async () => {
    const ping = await cli(
      'check',
      '--policy',
      'examples/alibaba-basic.yaml',
      '--from',
      '8.8.8.8',
      '--to',
      '10.1.0.10',
      '--proto',
      'icmp',
      '--icmp-type',
      '8',
    );
    expect(ping.code).toBe(0);
    const inner = await cli(
      'check',
      '--policy',
      'examples/alibaba-basic.yaml',
      '--from',
      '10.1.0.11',
      '--to',
      '10.1.0.10:8080',
      '--proto',
      'tcp',
    );
    expect(inner.out).toMatch(/same-group access of sg-web \(innerAccessPolicy Accept\)/);
  });

  it.each([
    [['--from', '10.0.0.1', '--to', '10.0.0.2', '--proto', 'tcp'], /--to needs a port/],
    [
      ['--from', 'nowhere', '--to', '10.0.0.2:80', '--proto', 'tcp'],
      /--from "nowhere" is neither an IP address/,
    ],
    [['--from', '10.0.0.1', '--to', '10.0.0.2:80', '--proto', 'tcpx'], /--proto "tcpx" is not tcp/],
    [['--from', '10.0.0.1', '--to', '10.0.0.2:99999', '--proto', 'tcp'], /port 99999 is outside 0-65535/],
    [['--from', '10.0.0.1', '--to', '2001:db8::1', '--proto', 'icmp'], /different address families/],
    [
      ['--from', '10.0.0.1', '--to', '10.0.0.2:80', '--proto', 'tcp', '--icmp-type', '8'],
      /need --proto icmp/,
    ],
  ])('bad arguments get a clear message and exit 2: %j', async (args, message) => {
    const r = await cli('check', '--policy', 'examples/huawei.yaml', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('an unreadable or invalid policy exits 2 with the errors', async () => {
    expect(
      (
        await cli(
          'check',
          '--policy',
          'nope.yaml',
          '--from',
          '1.1.1.1',
          '--to',
          '2.2.2.2:1',
          '--proto',
          'tcp',
        )
      ).err,
    ).toMatch(/cannot read policy file nope.yaml: ENOENT/);
    const bad = await cli(
      'check',
      '--policy',
      'examples/invalid.yaml',
      '--from',
      '1.1.1.1',
      '--to',
      '2.2.2.2:1',
      '--proto',
      'tcp',
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/REMOTE_CONFLICT/);
  });

  it('a missing required option is a usage error', async () => {
    const r = await cli('check', '--policy', 'examples/huawei.yaml');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/required option '--from/);
  });
});

describe('palisade validate', () => {
  it.each(['alibaba-basic', 'alibaba-advanced', 'alibaba-classic', 'huawei', 'openstack'])(
    'examples/%s.yaml is valid',
    async (name) => {
      const r = await cli('validate', '--policy', `examples/${name}.yaml`);
      expect(r.out).toMatch(/valid \(/);
      expect(r.code).toBe(0);
    },
  );

  it('examples/invalid.yaml: every error with its path and code', async () => {
    const r = await cli('validate', '--policy', 'examples/invalid.yaml', '--json');
    expect(r.code).toBe(1);
    const { valid, errors } = JSON.parse(r.out);
    expect(valid).toBe(false);
    expect(errors.map((e: { path: string; code: string }) => `${e.path} ${e.code}`).sort()).toEqual(
      [
        'groups[0].rules[0].ports[0].from PORT_OUT_OF_RANGE',
        'groups[0].rules[0].ports[0].to PORT_OUT_OF_RANGE',
        'groups[0].rules[1].ports[0] PORT_RANGE_INVERTED',
        'groups[0].rules[2].icmpType ICMP_OUT_OF_RANGE',
        'groups[0].rules[3].remote.cidr CIDR_ETHERTYPE_MISMATCH',
        'groups[0].rules[4] REMOTE_CONFLICT',
        'groups[0].rules[5].action DENY_NOT_SUPPORTED',
        'groups[0].rules[6].priority PRIORITY_NOT_SUPPORTED',
        'instances[0].ports[0].groups[1] UNKNOWN_GROUP',
        'instances[0].ports[0].ipv4[0] INVALID_ADDRESS',
      ].sort(),
    );
  });
});

describe('the palisade executable', () => {
  it('runs as a process and sets its exit code', async () => {
    const exec = promisify(execFile);
    const { stdout } = await exec(process.execPath, [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'check',
      '--policy',
      'examples/openstack.yaml',
      '--from',
      '10.0.0.6',
      '--to',
      '10.0.0.5:9999',
      '--proto',
      'udp',
    ]);
    expect(stdout).toMatch(/^ALLOW {2}udp/);
    const denied = await exec(process.execPath, [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'check',
      '--policy',
      'examples/openstack.yaml',
      '--from',
      '8.8.8.8',
      '--to',
      '10.0.0.5:9999',
      '--proto',
      'udp',
    ]).catch((e) => e);
    expect(denied.code).toBe(1);
  });
});
