// What the kernel does to live connections, against the documents and Palisade's own simulator
// (each scenario is also run through POST /v1/regions/{id}/simulations): a UDP flow answered
// inside its first 2 s keeps the both-ways timeout; a cleared connection stays blocked until
// the timeout of its state, not resumed by loose TCP pickup; changes made while the agent was
// down clear their connections when it comes back; connections that predate the table are held
// to the policy; and one change cuts 1,000 connections at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { run } from '../../src/dataplane/exec.js';
import { canRunDataplane, dataplaneFixture, eventually, type Fixture } from '../support/dataplane.js';
import { operatorCliEnv } from '../support/servers.js';

const ok = await canRunDataplane();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Scaled-down region timeouts: one-way 3 s, both ways 18 s, established 4 s.
const TIMEOUTS = { otherOneWay: 3, otherBothWays: 18, tcpEstablished: 4 };

describe.skipIf(!ok)('kernel fidelity: connection state as the documents say', () => {
  let f: Fixture;
  const g: Record<string, any> = {};
  let ports: Record<string, any>;

  beforeAll(async () => {
    f = await dataplaneFixture({ id: 'fid', profile: 'huawei', conntrackTimeouts: TIMEOUTS });
    g.client = await f.group('client', [
      { direction: 'egress', protocol: 'all', remoteIpPrefix: '0.0.0.0/0' },
    ]);
    // The server's group has no egress rule: anything it starts is denied, only replies leave.
    g.server = await f.group('server', [
      { direction: 'ingress', protocol: 'tcp', ports: '22' },
      { direction: 'ingress', protocol: 'tcp', ports: '2200' },
      { direction: 'ingress', protocol: 'udp', ports: '9003' },
    ]);
    ports = await f.boot(
      [
        { name: 'x', host: 'h1', ipv4: '10.5.0.1', groups: [g.client.id] },
        { name: 'p', host: 'h2', ipv4: '10.5.0.2', groups: [g.server.id] },
      ],
      [
        ['tcp', 22],
        ['tcp', 2200],
        ['udp2', 9003, 5000],
      ],
    );
  }, 60_000);
  afterAll(() => f?.close());

  const simulate = (steps: unknown[]) =>
    f.c.post<any>('/v1/regions/fid/simulations', { steps }).then((r) => r.results as any[]);
  const send = (
    from: string,
    to: string,
    protocol: string,
    srcPort: number,
    dstPort: number,
    flags?: string,
  ) => ({
    op: 'send',
    from: ports[from].id,
    to: ports[to].id,
    protocol,
    srcPort,
    dstPort,
    ...(flags ? { flags } : {}),
  });

  it('keeps a UDP flow answered inside its first 2 s for the both-ways timeout', async () => {
    // P answers at once and again 5 s later: past the one-way timeout (3 s), inside both ways (18 s).
    expect(await f.replies('x', '10.5.0.2', 9003, 2, 7000)).toBe(true);
    const sim = await simulate([
      send('x', 'p', 'udp', 40000, 9003),
      send('p', 'x', 'udp', 9003, 40000),
      { op: 'advance', seconds: 5 },
      send('p', 'x', 'udp', 9003, 40000),
    ]);
    expect(sim[3].delivered).toBe(true);
    // The agent gave the entry the both-ways timeout after the kernel's 2-s window.
    const entry = /udp\s+17 (\d+) src=10\.5\.0\.1 dst=10\.5\.0\.2 .*dport=9003 /.exec(
      await f.conntrack('h2'),
    );
    expect(Number(entry?.[1])).toBeGreaterThan(TIMEOUTS.otherOneWay);
  });

  it('keeps a cleared connection blocked until the timeout of its state, then tracks it anew', async () => {
    const live = await f.connection('x', '10.5.0.2', 2200);
    expect(await live.send()).toBe('ok');
    // A new deny rule: huawei's clearing table clears P's inbound entries.
    const cleared = Date.now();
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '2300',
      action: 'deny',
    });
    // Probed at once (loose TCP pickup would have re-created the entry as ESTABLISHED) ...
    expect(await live.send()).toBe('timeout');
    await sleep(500);
    expect(await live.send()).toBe('timeout');
    // ... and after the established timeout (4 s) it is a new flow, which the rules allow.
    expect(await eventually(async () => (await live.send()) === 'ok', 12_000)).toBe(true);
    expect(Date.now() - cleared).toBeGreaterThanOrEqual(TIMEOUTS.tcpEstablished * 1000);
    live.stop();

    const sim = await simulate([
      send('x', 'p', 'tcp', 40001, 2200, 'S'),
      send('p', 'x', 'tcp', 2200, 40001, 'SA'),
      send('x', 'p', 'tcp', 40001, 2200, 'A'),
      {
        op: 'addRule',
        groupId: g.server.id,
        rule: { direction: 'ingress', protocol: 'tcp', ports: '2301', action: 'deny' },
      },
      send('x', 'p', 'tcp', 40001, 2200, 'A'),
      { op: 'advance', seconds: TIMEOUTS.tcpEstablished + 0.5 },
      send('x', 'p', 'tcp', 40001, 2200, 'A'),
    ]);
    expect(sim[4].delivered).toBe(false);
    expect(sim[4].ingress).toMatchObject({ via: 'cleared' });
    expect(sim[6].delivered).toBe(true);
  });

  it('cuts a live connection on restart for a deny added while the agent was down (kill -9)', async () => {
    const live = await f.connection('x', '10.5.0.2', 22);
    expect(await live.send()).toBe('ok');
    // P's host runs its agent as a process (`palisade agent`), which is killed with SIGKILL ...
    const index = f.agents.findIndex((a) => a.host === 'h2');
    const [inProcess] = f.agents.splice(index, 1);
    await inProcess.stop();
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'agent', '--host', 'h2', '--netns', f.hostNs('h2')],
      {
        env: { ...process.env, ...operatorCliEnv(f.t.url) },
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const started = await createInterface({ input: proc.stdout! })[Symbol.asyncIterator]().next();
    expect(started.value).toMatch(/^agent for host h2 enforcing revision \d+$/);
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const rule = await f.c.post<any>(`/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '22',
      remoteIpPrefix: '10.5.0.1/32',
      action: 'deny',
    });
    // ... so new connections meet the old rules, and the live one keeps passing.
    expect(await live.send()).toBe('ok');
    const fresh = f.agent('h2');
    await fresh.start();
    f.agents.push(fresh);
    expect(fresh.startedBy).toEqual({ adopted: true, revision: expect.any(Number) });
    expect(fresh.revision).toBeGreaterThanOrEqual(rule.revision);
    // The missed change cleared P's inbound entries before the agent said it enforced it.
    expect(await live.send()).toBe('timeout');
    expect(await f.exchange('x', 'tcp', '10.5.0.2', 22)).toBe(false);
    live.stop();
    await f.write('DELETE', `/v1/security-groups/${g.server.id}/rules/${rule.id}`);
  });

  it('holds connections that predate the table to the policy: allowed ones stay, denied ones are cut', async () => {
    const allowed = await f.connection('x', '10.5.0.2', 2200);
    const denied = await f.connection('x', '10.5.0.2', 22);
    expect(await allowed.send()).toBe('ok');
    expect(await denied.send()).toBe('ok');
    const index = f.agents.findIndex((a) => a.host === 'h2');
    const [old] = f.agents.splice(index, 1);
    await old.stop();
    // The table goes (a reboot of nftables, an older agent's table); 22 is no longer allowed.
    await run('ip', ['netns', 'exec', f.hostNs('h2'), 'nft', 'delete', 'table', 'inet', 'palisade']);
    const rule22 = (await f.c.get<any>(`/v1/security-groups/${g.server.id}/rules`)).items.find(
      (r: any) => r.ports?.[0]?.from === 22,
    );
    await f.c.delete(`/v1/security-groups/${g.server.id}/rules/${rule22.id}`);
    expect(await denied.send()).toBe('ok');
    const fresh = f.agent('h2');
    await fresh.start();
    f.agents.push(fresh);
    expect(fresh.startedBy).toEqual({ adopted: false, reason: 'no table' });
    expect(await allowed.send()).toBe('ok');
    expect(await denied.send()).toBe('timeout');
    allowed.stop();
    denied.stop();
  });

  it('cuts 1,000 established connections with one change', async () => {
    const many = await f.connections('x', '10.5.0.2', 2200, 1000);
    expect(await many.probe()).toBe(1000);
    await f.write('POST', `/v1/security-groups/${g.server.id}/rules`, {
      direction: 'ingress',
      protocol: 'tcp',
      ports: '2400',
      action: 'deny',
    });
    // Enforced means cut: not one of them echoes any more.
    expect(await many.probe()).toBe(0);
    many.stop();
  }, 60_000);
});
