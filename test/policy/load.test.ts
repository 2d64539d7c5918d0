import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../src/policy/load.js';

const head = (profile: string) => `apiVersion: palisade/v1\nregion: { id: r1, profile: ${profile} }\n`;

describe('policy loader', () => {
  it('reads YAML and JSON alike, filling defaults', () => {
    const yaml = loadPolicy(
      `${head('huawei')}groups:\n  - id: g\n    rules:\n      - { direction: ingress, protocol: TCP, ports: "22,80-82", remoteIpPrefix: "2001:db8::/32" }\ninstances:\n  - { id: i, ports: [{ id: p, ipv4: 10.0.0.1, groups: [g] }] }\n`,
    );
    const json = loadPolicy(
      JSON.stringify({
        apiVersion: 'palisade/v1',
        region: { id: 'r1', profile: 'huawei' },
        groups: [
          {
            id: 'g',
            rules: [
              { direction: 'ingress', protocol: 'TCP', ports: '22,80-82', remoteIpPrefix: '2001:db8::/32' },
            ],
          },
        ],
        instances: [{ id: 'i', ports: [{ id: 'p', ipv4: '10.0.0.1', groups: ['g'] }] }],
      }),
    );
    expect(yaml.errors).toEqual([]);
    expect(json.state).toEqual(yaml.state);
    const s = yaml.state!;
    expect(s.tenants).toEqual([{ id: 'default', name: 'default' }]);
    expect(s.vpcs.map((v) => v.id)).toEqual(['default-vpc']);
    expect(s.region.quotas.rulesPerGroup).toBe(50);
    expect(s.region.conntrackTimeouts.tcpEstablished).toBe(600);
    expect(s.groups[0].rules[0]).toEqual({
      id: 'g-r0',
      direction: 'ingress',
      ethertype: 'IPv6',
      protocol: 'tcp',
      ports: [
        { from: 22, to: 22 },
        { from: 80, to: 82 },
      ],
      remote: { kind: 'cidr', cidr: '2001:db8::/32' },
      action: 'allow',
      priority: 1,
      nicType: 'intranet',
    });
  });

  it('a syntax error names its line and column', () => {
    const r = loadPolicy(`${head('huawei')}groups: [ { id: g\n`, 'bad.yaml');
    expect(r.state).toBeNull();
    expect(r.errors[0]).toMatchObject({
      code: 'SYNTAX_ERROR',
      message: expect.stringMatching(/^bad\.yaml: line \d+, column \d+/),
    });
  });

  it('structural errors carry the path of the field', () => {
    const r = loadPolicy(
      `${head('huawei')}groups:\n  - id: g\n    rules:\n      - { direction: sideways, protocol: tcp }\n`,
    );
    expect(r.errors).toContainEqual(
      expect.objectContaining({ path: 'groups[0].rules[0].direction', code: 'INVALID_FIELD' }),
    );
    expect(loadPolicy(`${head('huawei')}bogus: 1\n`).errors[0]).toMatchObject({ code: 'INVALID_FIELD' });
  });

  it('shorthand errors: malformed ports, two remotes, unknown template', () => {
    const r = loadPolicy(
      `${head('openstack')}groups:\n  - id: g\n    template: web-server-linux\n    rules:\n      - { direction: ingress, protocol: tcp, ports: "22;23" }\n      - { direction: ingress, protocol: tcp, remoteIpPrefix: 10.0.0.0/8, remoteAddressGroup: x }\n`,
    );
    expect(r.errors.map((e) => [e.path, e.code])).toEqual(
      expect.arrayContaining([
        ['groups[0].template', 'UNKNOWN_TEMPLATE'],
        ['groups[0].rules[0].ports', 'INVALID_PORTS'],
        ['groups[0].rules[1]', 'REMOTE_CONFLICT'],
      ]),
    );
  });

  it.each([
    ['huawei', 4, 'ingress'],
    ['openstack', 4, 'ingress'],
    ['alibaba', 3, 'ingress'],
  ])(
    '%s: a port without groups joins the default group, created with %i default rules',
    (profile, n, direction) => {
      const r = loadPolicy(
        `${head(profile)}instances:\n  - { id: a, ports: [{ id: pa, ipv4: 10.0.0.1 }] }\n  - { id: b, ports: [{ id: pb, ipv4: 10.0.0.2, groups: [] }] }\n`,
      );
      expect(r.errors).toEqual([]);
      const groups = r.state!.groups;
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ name: 'default' });
      expect(groups[0].rules).toHaveLength(n);
      expect(groups[0].rules[0].direction).toBe(direction);
      expect(r.state!.instances.map((i) => i.ports[0].groupIds)).toEqual([[groups[0].id], [groups[0].id]]);
    },
  );

  it('templates add their rules before the listed ones', () => {
    const r = loadPolicy(
      `${head('alibaba')}groups:\n  - { id: g, template: web-server-windows, rules: [{ direction: ingress, protocol: udp, ports: 53 }] }\n`,
    );
    expect(r.state!.groups[0].rules.map((x) => `${x.protocol}:${x.ports?.[0].from ?? '-'}`)).toEqual([
      'tcp:3389',
      'tcp:80',
      'tcp:443',
      'icmp:-',
      'udp:53',
    ]);
  });

  it('alibaba collapses identical rules (authorizing twice adds nothing); huawei rejects them', () => {
    const rules = `groups:\n  - id: g\n    rules:\n      - { direction: ingress, protocol: tcp, ports: 22, description: a }\n      - { direction: ingress, protocol: tcp, ports: 22, description: b }\n`;
    expect(loadPolicy(`${head('alibaba')}${rules}`).state!.groups[0].rules).toHaveLength(1);
    expect(loadPolicy(`${head('huawei')}${rules}`).errors).toContainEqual(
      expect.objectContaining({
        path: 'groups[0].rules[1]',
        code: 'DUPLICATE_RULE',
        message: expect.stringContaining('g-r0'),
      }),
    );
  });

  it('the classic network: vpc "classic" and NIC types', () => {
    const r = loadPolicy(
      `${head('alibaba')}groups:\n  - { id: c, vpc: classic, rules: [{ direction: ingress, protocol: tcp, ports: 80, nicType: internet }] }\ninstances:\n  - { id: i, vpc: classic, ports: [{ id: p, ipv4: 47.1.1.1, nicType: internet, groups: [c] }] }\n`,
    );
    expect(r.errors).toEqual([]);
    expect(r.state!.groups[0].vpcId).toBeNull();
  });
});
