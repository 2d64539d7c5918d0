// Membership and address-group changes edit the compiled form in place; rule changes
// recompile only the policies holding the group; ports with equal policies share one form.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/core/engine.js';
import { addressGroup, group, ingress, pkt, port, region } from '../support/build.js';

function setup() {
  const state = region(
    'huawei',
    [
      group('web', [
        ingress('tcp', { ports: '443', from: 'sg:clients' }),
        ingress('tcp', { ports: '22', from: 'ag:admins' }),
      ]),
      group('clients', []),
      group('db', [ingress('tcp', { ports: '5432', from: 'sg:web' })]),
    ],
    [
      port('w1', '10.0.0.1', ['web']),
      port('w2', '10.0.0.2', ['web']),
      port('c1', '10.0.1.1', ['clients']),
      port('c2', '10.0.1.2', ['db']),
      port('d1', '10.0.2.1', ['db']),
    ],
    [addressGroup('admins', ['192.168.10.0/24'])],
  );
  const engine = new Engine(state);
  const warm = () => {
    for (const p of ['w1', 'w2', 'c1', 'c2', 'd1'])
      for (const d of ['ingress', 'egress'] as const) engine.side(p, d, 'IPv4');
  };
  warm();
  return { engine, warm };
}

describe('incremental updates', () => {
  it('ports with the same groups share one compiled classifier', () => {
    const { engine } = setup();
    expect(engine.side('w1', 'ingress', 'IPv4')).toBe(engine.side('w2', 'ingress', 'IPv4'));
    expect(engine.side('c2', 'ingress', 'IPv4')).toBe(engine.side('d1', 'ingress', 'IPv4'));
  });

  it('an address-group entry change recompiles nothing and takes effect at once', () => {
    const { engine, warm } = setup();
    const before = engine.compiledClassifiers;
    const side = engine.side('w1', 'ingress', 'IPv4');
    expect(engine.allows('w1', 'ingress', pkt('tcp', '172.16.5.5', '10.0.0.1:22'))).toBe(false);
    engine.apply({
      kind: 'addressGroupEntriesChanged',
      addressGroupId: 'admins',
      added: ['172.16.5.0/28'],
      removed: ['192.168.10.0/24'],
    });
    warm();
    expect(engine.compiledClassifiers).toBe(before);
    expect(engine.side('w1', 'ingress', 'IPv4')).toBe(side);
    expect(engine.allows('w1', 'ingress', pkt('tcp', '172.16.5.5', '10.0.0.1:22'))).toBe(true);
    expect(engine.allows('w1', 'ingress', pkt('tcp', '192.168.10.9', '10.0.0.1:22'))).toBe(false);
  });

  it('joining a remote group edits the referencing classifiers in place; only the joining port gets a new policy', () => {
    const { engine, warm } = setup();
    const webSide = engine.side('w1', 'ingress', 'IPv4');
    const dbSide = engine.side('d1', 'ingress', 'IPv4');
    expect(engine.allows('w1', 'ingress', pkt('tcp', '10.0.1.2', '10.0.0.1:443'))).toBe(false);
    const before = engine.compiledClassifiers;
    engine.apply({ kind: 'memberAdded', groupId: 'clients', portId: 'c2' });
    expect(engine.side('w1', 'ingress', 'IPv4')).toBe(webSide);
    expect(engine.side('d1', 'ingress', 'IPv4')).toBe(dbSide);
    expect(engine.compiledClassifiers).toBe(before);
    expect(engine.allows('w1', 'ingress', pkt('tcp', '10.0.1.2', '10.0.0.1:443'))).toBe(true);
    warm(); // c2's new group list [db, clients] is a new policy: its two sides compile once each
    expect(engine.compiledClassifiers).toBe(before + 2);
    engine.apply({ kind: 'memberRemoved', groupId: 'clients', portId: 'c2' });
    expect(engine.allows('w1', 'ingress', pkt('tcp', '10.0.1.2', '10.0.0.1:443'))).toBe(false);
    expect(engine.side('w1', 'ingress', 'IPv4')).toBe(webSide);
  });

  it('a rule change recompiles the policies that hold the group and no other', () => {
    const { engine, warm } = setup();
    const dbSide = engine.side('d1', 'ingress', 'IPv4');
    const webSide = engine.side('w1', 'ingress', 'IPv4');
    const before = engine.compiledClassifiers;
    engine.apply({
      kind: 'ruleAdded',
      groupId: 'web',
      rule: ingress('tcp', { ports: '8443', from: '0.0.0.0/0' }),
    });
    warm();
    expect(engine.side('d1', 'ingress', 'IPv4')).toBe(dbSide);
    expect(engine.side('w1', 'ingress', 'IPv4')).not.toBe(webSide);
    expect(engine.compiledClassifiers).toBe(before + 2); // web's ingress and egress sides
    expect(engine.allows('w2', 'ingress', pkt('tcp', '1.2.3.4', '10.0.0.2:8443'))).toBe(true);
  });

  it('an address that several members share stays matched until the last one leaves', () => {
    const state = region(
      'huawei',
      [group('x', [ingress('all', { from: 'sg:peers' })]), group('peers', [])],
      [port('t', '10.0.0.1', ['x']), port('p1', '10.0.9.9', ['peers']), port('p2', '10.0.9.9', ['peers'])],
    );
    const engine = new Engine(state);
    const p = pkt('udp', '10.0.9.9', '10.0.0.1:53');
    expect(engine.allows('t', 'ingress', p)).toBe(true);
    engine.apply({ kind: 'memberRemoved', groupId: 'peers', portId: 'p1' });
    expect(engine.allows('t', 'ingress', p)).toBe(true);
    engine.apply({ kind: 'memberRemoved', groupId: 'peers', portId: 'p2' });
    expect(engine.allows('t', 'ingress', p)).toBe(false);
  });

  it('an address-group entry replaced by a narrower one that overlaps an existing row boundary (regression)', () => {
    const state = region(
      'alibaba',
      [group('sg', [ingress('all', { from: 'ag:ag-1' })], { innerAccessPolicy: 'Accept' })],
      [port('a', '10.0.0.4', ['sg'])],
      [addressGroup('ag-1', ['10.0.0.0/8'])],
    );
    const engine = new Engine(state);
    engine.side('a', 'ingress', 'IPv4');
    engine.apply({
      kind: 'addressGroupEntriesChanged',
      addressGroupId: 'ag-1',
      added: ['10.0.0.4/31'],
      removed: ['10.0.0.0/8'],
    });
    expect(engine.allows('a', 'ingress', pkt('tcp', '10.0.1.9', '10.0.0.4:1'))).toBe(false);
    expect(engine.allows('a', 'ingress', pkt('tcp', '10.0.0.5', '10.0.0.4:1'))).toBe(true);
  });
});
