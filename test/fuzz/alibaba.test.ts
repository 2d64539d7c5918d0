// Fuzz of the Alibaba ECS RPC front end (GET/POST /): every action of SUPPORTED_ACTIONS, unknown
// actions and Object.prototype names as Action, each with valid-looking parameters (naming real
// groups, rules, ENIs, prefix lists) and hostile ones: prototype names as values and as keys
// (IpProtocol=constructor, Tag.1.Key=__proto__, Permissions.1.__proto__), broken port ranges,
// Permissions.N with absurd N, repeated parameters, broken percent-encodings, 100 KB values.
// Requests are signed correctly (signature 1.0 in the query or a form body, ACS3-HMAC-SHA256
// headers) so that the handlers run, or broken on purpose (wrong secret, expired, replayed
// nonce, unknown or operator key); Format=XML; Content-Type application/json with a body that is
// not JSON. Every answer: never 5xx; an error is the ECS envelope (JSON, or XML with Format=XML);
// an error changes nothing; a request that must fail (unknown action, bad signature) fails.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PalisadeClient } from '../../src/client/client.js';
import { SUPPORTED_ACTIONS } from '../../src/compat/alibaba/index.js';
import {
  acs3CanonicalRequest,
  acs3Signature,
  acs3StringToSign,
  percentEncode,
  v1Signature,
  v1StringToSign,
} from '../../src/compat/alibaba/signing.js';
import { alibabaError } from '../support/fuzz/envelopes.js';
import { Fixtures, nativeMakers } from '../support/fuzz/fixtures.js';
import { type FuzzServer, startFuzzServer } from '../support/fuzz/server.js';
import { type RawRequest, send } from '../support/fuzz/http.js';
import { type FuzzCase, FuzzRun, seedOf } from '../support/fuzz/runner.js';
import { Ref } from '../support/fuzz/schema.js';
import { isoSeconds, type Key, nonce } from '../support/fuzz/signing.js';
import {
  BROKEN_ENCODINGS,
  DEEP_ARRAY_JSON,
  HUGE,
  MAIN_PROTO_NAMES,
  NOT_JSON_BODIES,
  PROTO_NAMES,
  URL_STRINGS,
} from '../support/fuzz/values.js';
import { freshDatabase, TEST_ENV, type TestDatabase } from '../support/servers.js';

const SEED = seedOf(20261125);
const RUNS = Number(process.env.FUZZ_RUNS) || 40;
const REGION = 'cn-fuzz-1';
const HW_REGION = 'fz-hw-other';
const ADMIN: Key = { id: TEST_ENV.PALISADE_ADMIN_KEY_ID, secret: TEST_ENV.PALISADE_ADMIN_SECRET };

/**
 * How a parameter takes a hostile value: 'target' names the object acted on, 'enum' is a closed
 * vocabulary (either way a prototype name can only be refused); 'text' and 'filter' may take it.
 */
type Kind = 'target' | 'enum' | 'text' | 'filter';
interface ParamSpec {
  name: string;
  kind: Kind;
  value: fc.Arbitrary<string | Ref>;
  required?: boolean;
}
const p = (name: string, kind: Kind, value: fc.Arbitrary<string | Ref>, required = false): ParamSpec => ({
  name,
  kind,
  value,
  required,
});
const ref = (name: string) => fc.constant(new Ref(name));
const c = (...values: string[]) => fc.constantFrom(...values);
const ecsName = fc
  .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 12 })
  .map((s) => `fz${s}`);
const cidr4 = c('10.0.0.0/8', '192.0.2.0/24', '198.51.100.7/32', '0.0.0.0/0');
const region = p('RegionId', 'target', fc.constant(REGION), true);

/** A rule's fields in the legacy top-level form (required: the protocol and the port range). */
function ruleFields(direction: 'ingress' | 'egress', required = true): ParamSpec[] {
  const peer = direction === 'ingress' ? 'Source' : 'Dest';
  return [
    p('IpProtocol', 'enum', c('TCP', 'UDP', 'tcp'), required),
    p('PortRange', 'enum', c('22/22', '80/90', '1/65535'), required),
    p(`${peer}CidrIp`, 'enum', cidr4, required),
    p('Policy', 'enum', c('accept', 'drop', 'Accept')),
    p('Priority', 'enum', c('1', '50', '100')),
    p('NicType', 'enum', c('intranet')),
    p('Description', 'text', c('web server', 'ssh')),
  ];
}

// Paging parameters: MaxResults/NextToken win over PageNumber/PageSize, which are then unread.
const paging = [
  p('MaxResults', 'filter', c('10', '100')),
  p('NextToken', 'filter', c('', 'c2ctMQ')),
  p('PageNumber', 'filter', c('1', '2')),
  p('PageSize', 'filter', c('10', '50')),
];

/** Every supported action's parameters, with the fixtures they name. */
const SPECS: Record<string, ParamSpec[]> = {
  DescribeRegions: [p('AcceptLanguage', 'filter', c('en-US', 'zh-CN'))],
  CreateSecurityGroup: [
    region,
    p('VpcId', 'target', ref('vpc')),
    p('SecurityGroupName', 'text', ecsName),
    p('Description', 'text', c('a fuzz group', 'web tier')),
    p('SecurityGroupType', 'enum', c('normal', 'enterprise')),
    p('Tag.1.Key', 'text', c('env', 'team')),
    p('Tag.1.Value', 'text', c('prod', 'dev')),
    p(
      'ClientToken',
      'text',
      fc.string({ unit: fc.constantFrom(...'abcdef0123456789'), minLength: 12, maxLength: 12 }),
    ),
  ],
  DescribeSecurityGroups: [
    region,
    p('VpcId', 'filter', ref('vpc')),
    p('SecurityGroupId', 'filter', ref('group')),
    p('SecurityGroupIds', 'filter', fc.constant('["sg-nope"]')),
    p('SecurityGroupName', 'filter', c('g1')),
    p('SecurityGroupType', 'filter', c('normal', 'enterprise')),
    p('NetworkType', 'filter', c('vpc', 'classic')),
    p('FuzzyQuery', 'filter', c('true', 'false')),
    p('Tag.1.Key', 'filter', c('env')),
    ...paging,
  ],
  DescribeSecurityGroupAttribute: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('Direction', 'filter', c('all', 'ingress', 'egress')),
    p('NicType', 'enum', c('intranet', 'internet')),
    p('MaxResults', 'enum', c('10', '100')),
  ],
  ModifySecurityGroupAttribute: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('SecurityGroupName', 'text', ecsName),
    p('Description', 'text', c('renamed by the fuzz')),
  ],
  ModifySecurityGroupPolicy: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('InnerAccessPolicy', 'enum', c('Accept', 'Drop'), true),
  ],
  DeleteSecurityGroup: [region, p('SecurityGroupId', 'target', ref('victim:group'), true)],
  DescribeSecurityGroupReferences: [region, p('SecurityGroupId.1', 'target', ref('group'), true)],
  AuthorizeSecurityGroup: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    ...ruleFields('ingress'),
  ],
  AuthorizeSecurityGroupEgress: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    ...ruleFields('egress'),
  ],
  RevokeSecurityGroup: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('SecurityGroupRuleId.1', 'target', ref('victim:rule'), true),
  ],
  RevokeSecurityGroupEgress: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    ...ruleFields('egress'),
  ],
  ModifySecurityGroupRule: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('SecurityGroupRuleId', 'target', ref('rule'), true),
    ...ruleFields('ingress', false),
  ],
  ModifySecurityGroupEgressRule: [
    region,
    p('SecurityGroupId', 'target', ref('group'), true),
    p('SecurityGroupRuleId', 'target', ref('egressRule'), true),
    p('Description', 'text', c('changed')),
    p('Priority', 'enum', c('2', '3')),
  ],
  CreateNetworkInterface: [
    region,
    p('VSwitchId', 'target', ref('vpc'), true),
    p('SecurityGroupId', 'target', ref('group'), true),
    p(
      'PrimaryIpAddress',
      'enum',
      fc.integer({ min: 2, max: 250 }).map((n) => `10.3.${n}.${(n * 7) % 250}`),
    ),
    p('NetworkInterfaceName', 'text', ecsName),
    p('Description', 'text', c('fuzz eni')),
  ],
  DescribeNetworkInterfaces: [
    region,
    p('NetworkInterfaceId.1', 'filter', ref('eni')),
    p('InstanceId', 'filter', ref('instance')),
    p('SecurityGroupId', 'filter', ref('group')),
    p('VpcId', 'filter', ref('vpc')),
    p('PrivateIpAddress.1', 'filter', c('10.3.0.5')),
    p('Type', 'filter', c('Primary', 'Secondary')),
    p('MaxResults', 'enum', c('10')),
  ],
  DeleteNetworkInterface: [region, p('NetworkInterfaceId', 'target', ref('victim:eni'), true)],
  DescribeInstances: [
    region,
    p('InstanceIds', 'filter', fc.constant('["i-nope"]')),
    p('VpcId', 'filter', ref('vpc')),
    p('SecurityGroupId', 'filter', ref('group')),
    p('InstanceName', 'filter', c('i1')),
  ],
  JoinSecurityGroup: [
    region,
    p('SecurityGroupId', 'target', ref('group2'), true),
    p('NetworkInterfaceId', 'target', ref('eni'), true),
  ],
  LeaveSecurityGroup: [
    region,
    p('SecurityGroupId', 'target', ref('group2'), true),
    p('InstanceId', 'target', ref('instance'), true),
  ],
  CreatePrefixList: [
    region,
    p('PrefixListName', 'text', ecsName, true),
    p('AddressFamily', 'enum', c('IPv4', 'IPv6'), true),
    p('MaxEntries', 'enum', c('10', '200'), true),
    p('Entry.1.Cidr', 'enum', cidr4),
    p('Description', 'text', c('fuzz list')),
  ],
  DescribePrefixLists: [
    region,
    p('PrefixListId.1', 'filter', ref('prefixList')),
    p('PrefixListName', 'filter', c('pl1')),
    p('AddressFamily', 'filter', c('IPv4')),
    p('MaxResults', 'enum', c('10')),
  ],
  DescribePrefixListAttributes: [region, p('PrefixListId', 'target', ref('prefixList'), true)],
  ModifyPrefixList: [
    region,
    p('PrefixListId', 'target', ref('prefixList'), true),
    p('PrefixListName', 'text', ecsName),
    p('AddEntry.1.Cidr', 'enum', c('203.0.113.0/24', '198.51.100.9/32')),
    p('RemoveEntry.1.Cidr', 'enum', c('203.0.113.0/24')),
    p('Description', 'text', c('changed')),
  ],
  DeletePrefixList: [region, p('PrefixListId', 'target', ref('victim:prefixList'), true)],
};

/** The action's parameters (an own property only: Action may well be "constructor"). */
const specOf = (action: string): ParamSpec[] => (Object.hasOwn(SPECS, action) ? SPECS[action] : [region]);

const TRANSPORTS = ['v1get', 'v1form', 'v1split', 'acs3', 'acs3get', 'acs3form'] as const;
type Transport = (typeof TRANSPORTS)[number];
/** One attack per case, so that a failure names what provoked it. */
const ATTACKS = [
  'valid',
  'valid',
  'valid',
  'action',
  'protoValue',
  'hostileValue',
  'protoKey',
  'missing',
  'repeat',
  'permissions',
  'permissions',
  'tags',
  'broken',
  'huge',
  'auth',
  'auth',
  'jsonBody',
] as const;
type Attack = (typeof ATTACKS)[number];
const AUTH = [
  'unsigned',
  'badSecret',
  'expired',
  'future',
  'badTimestamp',
  'unknownKey',
  'protoKey',
  'adminKey',
  'replay',
  'sigMethod',
  'acs3Incomplete',
  'acs3Garbage',
  'actionMismatch',
  'badVersion',
] as const;
type Auth = (typeof AUTH)[number];
/** Unknown actions, and names every object inherits: all must be InvalidAction.NotFound. */
const BAD_ACTIONS = [
  ...PROTO_NAMES,
  'CreateInstance',
  'RunInstances',
  'describeRegions',
  'Describe%Regions',
  '',
  'a'.repeat(300),
];

interface Sample {
  action: string;
  attack: Attack;
  transport: Transport;
  auth: Auth;
  /** Answers in XML (Format=XML): orthogonal to the attack. */
  xml: boolean;
  badAction: string;
  values: (string | Ref)[];
  pick: number;
  text: string;
}

type Pair = [string, string | Ref | { raw: string }];

function pairsOf(s: Sample): {
  pairs: Pair[];
  label: string[];
  trigger: string;
  reject: boolean;
  broken: boolean;
} {
  const spec = specOf(s.action);
  // Required parameters always; each optional one when its bit of `pick` is set.
  const pairs: Pair[] = [];
  spec.forEach((ps, i) => {
    const v = s.values[i];
    if (v !== undefined && (ps.required || (s.pick >> i) & 1)) pairs.push([ps.name, v]);
  });
  const label: string[] = [];
  let trigger = 'a valid request';
  let reject = false;
  let broken = false;
  const proto = PROTO_NAMES[s.pick % PROTO_NAMES.length];
  const mainProto = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
  const present = spec.filter((ps) => pairs.some(([k]) => k === ps.name));
  const target = present.length ? present[s.pick % present.length] : undefined;
  const set = (name: string, v: Pair[1]) => {
    const at = pairs.findIndex(([k]) => k === name);
    if (at >= 0) pairs[at] = [name, v];
    else pairs.push([name, v]);
  };
  switch (s.attack) {
    case 'valid':
      break;
    case 'protoValue':
      if (target) {
        set(target.name, mainProto);
        label.push(`${target.name}=${mainProto}`);
        trigger = `${target.name}=<inherited name>`;
        if (target.kind === 'target' || target.kind === 'enum') reject = true;
      }
      break;
    case 'hostileValue':
      if (target) {
        set(target.name, s.text);
        label.push(
          `${target.name}=${JSON.stringify(s.text.slice(0, 40))}${s.text.length > 40 ? `… (${s.text.length})` : ''}`,
        );
        trigger = `${target.name}=<hostile string>`;
        if (target.kind === 'target' && s.text !== '') reject = true;
      }
      break;
    case 'protoKey':
      pairs.push(
        [proto, 'x'],
        [`${mainProto}.1`, 'y'],
        [`Permissions.1.${mainProto}`, 'tcp'],
        [`Tag.${mainProto}.Key`, 'k'],
      );
      label.push(
        `prototype names as parameter names (${proto}, ${mainProto}.1, Permissions.1.${mainProto}, Tag.${mainProto}.Key)`,
      );
      trigger = 'prototype names as parameter names';
      break;
    case 'missing': {
      const required = spec.filter((ps) => ps.required);
      if (required.length) {
        const gone = required[s.pick % required.length];
        const at = pairs.findIndex(([k]) => k === gone.name);
        if (at >= 0) pairs.splice(at, 1);
        label.push(`required ${gone.name} missing`);
        trigger = `required ${gone.name} missing`;
        reject = true;
      }
      break;
    }
    case 'repeat':
      if (target) {
        pairs.push([target.name, mainProto], [target.name, '']);
        label.push(`${target.name} repeated with ${mainProto} and empty`);
        trigger = `${target.name} repeated`;
      }
      break;
    case 'permissions': {
      const variants: [string, Pair[]][] = [
        [
          'Permissions.1.IpProtocol=constructor',
          [
            ['Permissions.1.IpProtocol', 'constructor'],
            ['Permissions.1.PortRange', '22/22'],
            ['Permissions.1.SourceCidrIp', '10.0.0.0/8'],
          ],
        ],
        [
          'IpProtocol=__proto__',
          [
            ['IpProtocol', '__proto__'],
            ['PortRange', '22/22'],
            ['SourceCidrIp', '10.0.0.0/8'],
          ],
        ],
        [
          'IpProtocol=constructor',
          [
            ['IpProtocol', 'constructor'],
            ['PortRange', '-1/-1'],
            ['SourceCidrIp', '10.0.0.0/8'],
          ],
        ],
        [
          `IpProtocol=${mainProto}`,
          [
            ['IpProtocol', mainProto],
            ['PortRange', '-1/-1'],
          ],
        ],
        [
          'Permissions.1.__proto__',
          [
            ['Permissions.1.__proto__', 'x'],
            ['Permissions.1.IpProtocol', 'tcp'],
            ['Permissions.1.PortRange', '22/22'],
          ],
        ],
        [
          'Permissions.__proto__.IpProtocol',
          [
            ['Permissions.__proto__.IpProtocol', 'tcp'],
            ['Permissions.constructor.PortRange', '22/22'],
          ],
        ],
        [
          'Permissions.0 and Permissions.99999999999999999999',
          [
            ['Permissions.0.IpProtocol', 'tcp'],
            ['Permissions.0.PortRange', '22/22'],
            ['Permissions.99999999999999999999.IpProtocol', 'udp'],
            ['Permissions.99999999999999999999.PortRange', '53/53'],
          ],
        ],
        [
          '101 permissions',
          Array.from({ length: 101 }, (_, i): Pair[] => [
            [`Permissions.${i + 1}.IpProtocol`, 'tcp'],
            [`Permissions.${i + 1}.PortRange`, `${i + 1}/${i + 1}`],
          ]).flat(),
        ],
        [
          'PortRange garbage',
          [
            ['IpProtocol', 'tcp'],
            [
              'PortRange',
              [
                '22',
                '22/',
                '/22',
                '0/0',
                '65535/1',
                '1/65536',
                '-1/22',
                '22/22/22',
                'a/b',
                '１/２',
                '99999/99999',
                constructorText(s.pick),
              ][s.pick % 12],
            ],
          ],
        ],
        [
          'Priority garbage',
          [
            ['IpProtocol', 'tcp'],
            ['PortRange', '22/22'],
            ['Priority', ['0', '101', '-1', '1.5', 'constructor', '1e2', '0x10', '110'][s.pick % 8]],
          ],
        ],
        [
          'Policy/NicType prototype names',
          [
            ['IpProtocol', 'tcp'],
            ['PortRange', '22/22'],
            ['Policy', mainProto],
            ['NicType', proto],
          ],
        ],
        [
          'SourceCidrIp prototype name',
          [
            ['IpProtocol', 'tcp'],
            ['PortRange', '22/22'],
            ['SourceCidrIp', mainProto],
            ['DestCidrIp', proto],
          ],
        ],
        [
          'legacy and Permissions together',
          [
            ['IpProtocol', 'tcp'],
            ['PortRange', '22/22'],
            ['Permissions.1.IpProtocol', 'udp'],
            ['Permissions.1.PortRange', '53/53'],
          ],
        ],
        [
          'an ICMP rule (valid)',
          [
            ['IpProtocol', 'ICMP'],
            ['PortRange', '-1/-1'],
            [s.action.endsWith('Egress') ? 'DestCidrIp' : 'SourceCidrIp', '10.0.0.0/8'],
          ],
        ],
        [
          'a peer group (valid)',
          [
            ['IpProtocol', 'tcp'],
            ['PortRange', '443/443'],
            [s.action.endsWith('Egress') ? 'DestGroupId' : 'SourceGroupId', new Ref('group2')],
          ],
        ],
        [
          'a peer prefix list (valid)',
          [
            ['Permissions.1.IpProtocol', 'udp'],
            ['Permissions.1.PortRange', '53/53'],
            [
              s.action.endsWith('Egress')
                ? 'Permissions.1.DestPrefixListId'
                : 'Permissions.1.SourcePrefixListId',
              new Ref('prefixList'),
            ],
          ],
        ],
      ];
      const [name, extra] = variants[s.pick % variants.length];
      for (const ps of spec)
        if (
          /IpProtocol|PortRange|CidrIp|Policy|Priority|NicType|GroupId$|PrefixListId$|Description$/.test(
            ps.name,
          ) &&
          ps.name !== 'SecurityGroupId'
        ) {
          const at = pairs.findIndex(([k]) => k === ps.name);
          if (at >= 0) pairs.splice(at, 1);
        }
      pairs.push(...extra);
      label.push(`permissions: ${name}`);
      trigger = `permissions: ${name}`;
      const refused =
        !name.startsWith('101') &&
        !name.startsWith('Permissions.1.__proto__') &&
        !name.startsWith('Permissions.0') &&
        !name.endsWith('(valid)');
      if (/Authorize|Revoke/.test(s.action) && refused) reject = true;
      // A rule change reads the top-level fields only: a bad one of those is refused.
      const legacyBad = /^(IpProtocol=|PortRange garbage|Priority garbage|Policy\/NicType|SourceCidrIp)/.test(
        name,
      );
      if (/^Modify.*Rule$/.test(s.action) && legacyBad) reject = true;
      break;
    }
    case 'tags': {
      const key = MAIN_PROTO_NAMES[s.pick % MAIN_PROTO_NAMES.length];
      const variants: [string, Pair[]][] = [
        [
          `Tag.1.Key=${key}`,
          [
            ['Tag.1.Key', key],
            ['Tag.1.Value', 'v'],
          ],
        ],
        [
          `Tag.1.Value=${key}, Tag.2.Key=${key}`,
          [
            ['Tag.1.Key', 'env'],
            ['Tag.1.Value', key],
            ['Tag.2.Key', key],
          ],
        ],
        [
          'Tag.__proto__.Key and a 129-character key',
          [
            ['Tag.__proto__.Key', 'x'],
            ['Tag.1.Key', 'a'.repeat(129)],
          ],
        ],
        ['21 tags', Array.from({ length: 21 }, (_, i): Pair[] => [[`Tag.${i + 1}.Key`, `k${i}`]]).flat()],
        [
          'reserved tag key and a URL value',
          [
            ['Tag.1.Key', 'aliyun-x'],
            ['Tag.1.Value', 'https://x/'],
          ],
        ],
      ];
      const [name, extra] = variants[s.pick % variants.length];
      pairs.push(...extra);
      label.push(`tags: ${name}`);
      trigger = `tags: ${name}`;
      break;
    }
    case 'broken': {
      const name = target?.name ?? 'RegionId';
      set(name, { raw: BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length] });
      label.push(
        `${name} with a broken percent-encoding ${BROKEN_ENCODINGS[s.pick % BROKEN_ENCODINGS.length]}`,
      );
      trigger = 'a broken percent-encoding';
      broken = true;
      reject = true;
      break;
    }
    case 'huge': {
      const name = target?.name ?? 'Description';
      set(name, s.pick % 2 ? HUGE : DEEP_ARRAY_JSON);
      label.push(`${name} = ${s.pick % 2 ? '100 KB of "A"' : '10,000 nested JSON arrays'}`);
      trigger = `${name} of 20-100 KB`;
      if (target?.kind === 'target') reject = true;
      break;
    }
    case 'action':
      label.push(`Action=${JSON.stringify(s.badAction.slice(0, 40))} (with ${s.action}'s parameters)`);
      trigger = (PROTO_NAMES as readonly string[]).includes(s.badAction)
        ? 'Action=<inherited name>'
        : 'Action=<an unknown action>';
      reject = true;
      break;
    case 'auth':
      label.push(`credentials: ${s.auth}`);
      trigger = `credentials: ${s.auth}`;
      if (s.auth !== 'replay') reject = true;
      break;
    case 'jsonBody':
      label.push('Content-Type application/json with a body that is not JSON');
      trigger = 'Content-Type application/json with a body that is not JSON';
      break;
  }
  return { pairs, label, trigger, reject, broken };
}

const constructorText = (n: number) => MAIN_PROTO_NAMES[n % MAIN_PROTO_NAMES.length];

function decodeBest(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** Build the HTTP request of a case: parameters placed and signed as the transport does. */
function requestOf(
  s: Sample,
  pairs: [string, string | { raw: string }][],
  host: string,
  key: Key,
  o: { xml: boolean; auth?: Auth; jsonBody: boolean },
): RawRequest {
  const now = Date.now();
  const at = o.auth === 'expired' ? now - 20 * 60_000 : o.auth === 'future' ? now + 20 * 60_000 : now;
  const signKey = o.auth === 'badSecret' ? { ...key, secret: 'wrong-secret' } : key;
  const keyId =
    o.auth === 'unknownKey'
      ? 'LTAIdoesnotexist'
      : o.auth === 'protoKey'
        ? PROTO_NAMES[s.pick % PROTO_NAMES.length]
        : key.id;
  const version = o.auth === 'badVersion' ? ['2016-11-11', '', 'constructor'][s.pick % 3] : '2014-05-26';
  const encode = ([k, v]: [string, string | { raw: string }]) =>
    `${percentEncode(k)}=${typeof v === 'string' ? percentEncode(v) : v.raw}`;
  const decoded = (list: [string, string | { raw: string }][]): [string, string][] =>
    list.map(([k, v]) => [k, typeof v === 'string' ? v : decodeBest(v.raw)]);
  const timestamp =
    o.auth === 'badTimestamp'
      ? ['yesterday', '2026-13-45T99:99:99Z', '1e400', ''][s.pick % 4]
      : isoSeconds(at);

  if (s.transport.startsWith('v1')) {
    const framing: [string, string][] = [
      ['Action', s.attack === 'action' ? s.badAction : s.action],
      ['Format', o.xml ? 'XML' : 'JSON'],
      ['Version', version],
      ['AccessKeyId', keyId],
      ['SignatureMethod', o.auth === 'sigMethod' ? 'HMAC-SHA256' : 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', nonce()],
      ['Timestamp', timestamp],
    ];
    const all: [string, string | { raw: string }][] = [...framing, ...pairs];
    const split =
      s.transport === 'v1split' ? Math.ceil(all.length / 2) : s.transport === 'v1form' ? 0 : all.length;
    const method = s.transport === 'v1get' ? 'GET' : 'POST';
    const withSig = [...all];
    if (o.auth !== 'unsigned') {
      const sig = v1Signature(signKey.secret, v1StringToSign(method, decoded(all)));
      withSig.push(['Signature', sig]);
    }
    const query = withSig
      .slice(0, split === all.length ? withSig.length : split)
      .map(encode)
      .join('&');
    const form = split === all.length ? '' : withSig.slice(split).map(encode).join('&');
    const headers: Record<string, string> = {};
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (o.jsonBody) headers['content-type'] = 'application/json';
    // An unsigned header naming another action than the signed parameter.
    if (o.auth === 'actionMismatch') headers['x-acs-action'] = 'DeleteSecurityGroup';
    const req: RawRequest = {
      method: o.jsonBody ? 'POST' : method,
      path: query ? `/?${query}` : '/',
      headers,
    };
    if (o.jsonBody) req.body = NOT_JSON_BODIES[s.pick % NOT_JSON_BODIES.length];
    else if (form) req.body = form;
    return req;
  }

  // ACS3-HMAC-SHA256: action and version in headers, parameters in the query (or a form body).
  const query = [...pairs];
  if (o.xml) query.push(['Format', 'XML']);
  if (o.auth === 'actionMismatch') query.push(['Action', 'DeleteSecurityGroup']);
  const method = s.transport === 'acs3get' && !o.jsonBody ? 'GET' : 'POST';
  const inBody = s.transport === 'acs3form';
  const search = inBody ? '' : query.map(encode).join('&');
  let body = inBody ? query.map(encode).join('&') : undefined;
  let contentType = inBody ? 'application/x-www-form-urlencoded' : undefined;
  if (o.jsonBody) {
    body = NOT_JSON_BODIES[s.pick % NOT_JSON_BODIES.length];
    contentType = 'application/json';
  }
  const headers: Record<string, string> = {
    host,
    'x-acs-action': s.attack === 'action' ? s.badAction : s.action,
    'x-acs-version': version,
    'x-acs-date': timestamp,
    'x-acs-signature-nonce': nonce(),
  };
  if (contentType) headers['content-type'] = contentType;
  const signed = Object.keys(headers)
    .sort()
    .filter(
      (h) =>
        !(o.auth === 'acs3Incomplete' && h === ['host', 'x-acs-date', 'x-acs-signature-nonce'][s.pick % 3]),
    );
  const canonical = acs3CanonicalRequest(
    method,
    '/',
    decoded(inBody ? [] : query),
    headers,
    signed,
    body ?? '',
  );
  const sig = acs3Signature(signKey.secret, acs3StringToSign(canonical));
  if (o.auth === 'acs3Garbage')
    headers.authorization = [
      'ACS3-HMAC-SHA256 ',
      'ACS3-HMAC-SHA256 Credential=x',
      'ACS3-HMAC-SHA1 Credential=a,SignedHeaders=host,Signature=b',
      'ACS3-',
    ][s.pick % 4];
  else if (o.auth !== 'unsigned')
    headers.authorization = `ACS3-HMAC-SHA256 Credential=${keyId},SignedHeaders=${signed.join(';')},Signature=${sig}`;
  const req: RawRequest = { method, path: search ? `/?${search}` : '/', headers };
  if (body !== undefined) req.body = body;
  return req;
}

const arbSample: fc.Arbitrary<Sample> = fc
  .record({
    action: fc.constantFrom(...SUPPORTED_ACTIONS),
    attack: fc.constantFrom(...ATTACKS),
    transport: fc.constantFrom(...TRANSPORTS),
    auth: fc.constantFrom(...AUTH),
    xml: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    badAction: fc.constantFrom(...BAD_ACTIONS),
    pick: fc.nat(),
    text: fc.constantFrom(...URL_STRINGS),
  })
  .chain((r) => fc.tuple(...specOf(r.action).map((ps) => ps.value)).map((values) => ({ ...r, values })));

const RULE_ACTIONS = SUPPORTED_ACTIONS.filter((a) => /^(Authorize|Revoke|Modify.*Rule)/.test(a));
const TAG_ACTIONS = ['CreateSecurityGroup', 'DescribeSecurityGroups'];

/**
 * What an attack needs: rule attacks on rule actions, tag attacks where tags are read, ACS3-only
 * and signature-1.0-only credentials on their scheme, big values in a form body.
 */
function fitted(s: Sample): Sample {
  let { action, transport } = s;
  if (s.attack === 'permissions' && !RULE_ACTIONS.includes(action))
    action = RULE_ACTIONS[s.pick % RULE_ACTIONS.length];
  if (s.attack === 'tags' && !TAG_ACTIONS.includes(action)) action = TAG_ACTIONS[s.pick % TAG_ACTIONS.length];
  if (s.attack === 'huge' && !/form/.test(transport)) transport = s.pick % 2 ? 'v1form' : 'acs3form';
  if (
    s.attack === 'auth' &&
    (s.auth === 'acs3Incomplete' || s.auth === 'acs3Garbage') &&
    transport.startsWith('v1')
  )
    transport = 'acs3';
  if (s.attack === 'auth' && s.auth === 'sigMethod' && transport.startsWith('acs3')) transport = 'v1get';
  if (action === s.action) return { ...s, transport };
  const values = fc.sample(fc.tuple(...specOf(action).map((ps) => ps.value)), {
    seed: s.pick,
    numRuns: 1,
  })[0];
  return { ...s, action, transport, values };
}

describe('Alibaba ECS RPC fuzz', () => {
  let db: TestDatabase;
  let t: FuzzServer;
  let fx: Fixtures;
  let key: Key;

  beforeAll(async () => {
    db = await freshDatabase('sqlite');
    t = await startFuzzServer(db);
    const admin = new PalisadeClient(t.url, { keyId: ADMIN.id, secret: ADMIN.secret });
    const quotas = {
      groupsPerTenant: 2000,
      rulesPerGroup: 2000,
      addressGroupsPerTenant: 2000,
      portsPerGroup: 2000,
      rulesPerPort: 20000,
    };
    await admin.post('/v1/regions', { id: REGION, profile: 'alibaba', quotas });
    await admin.post('/v1/regions', { id: HW_REGION, profile: 'huawei' });
    await admin.post('/v1/tenants', { id: 'fz-ali', name: 'fuzz' });
    const k = await admin.post<{ id: string; secret: string }>('/v1/access-keys', { tenantId: 'fz-ali' });
    key = { id: k.id, secret: k.secret };
    const tenant = new PalisadeClient(t.url, { keyId: key.id, secret: key.secret });
    const vpc = (await tenant.post<any>('/v1/vpcs', { regionId: REGION, name: 'v', cidr: '10.3.0.0/16' })).id;
    const group = (
      await tenant.post<any>('/v1/security-groups', {
        regionId: REGION,
        vpcId: vpc,
        name: 'g1',
        template: 'empty',
      })
    ).id;
    const group2 = (
      await tenant.post<any>('/v1/security-groups', {
        regionId: REGION,
        vpcId: vpc,
        name: 'g2',
        template: 'empty',
      })
    ).id;
    const rule = (
      await tenant.post<any>(`/v1/security-groups/${group}/rules`, {
        direction: 'ingress',
        protocol: 'tcp',
        ports: '22',
        remoteIpPrefix: '192.0.2.0/24',
      })
    ).id;
    const egressRule = (
      await tenant.post<any>(`/v1/security-groups/${group}/rules`, {
        direction: 'egress',
        protocol: 'udp',
        ports: '53',
        remoteIpPrefix: '192.0.2.53/32',
      })
    ).id;
    const prefixList = (
      await tenant.post<any>('/v1/address-groups', {
        regionId: REGION,
        name: 'pl1',
        entries: ['198.51.100.0/24'],
      })
    ).id;
    const inst = await tenant.post<any>('/v1/instances', {
      regionId: REGION,
      vpcId: vpc,
      name: 'i1',
      ports: [{ ipv4: ['10.3.0.5'], groupIds: [group, group2] }],
    });
    const native = nativeMakers(tenant, REGION, vpc, group);
    let renewals = 0;
    fx = new Fixtures({
      group: native.group,
      rule: native.rule,
      prefixList: native.addressGroup,
      eni: async (n) =>
        (
          await tenant.post<any>('/v1/instances', {
            regionId: REGION,
            vpcId: vpc,
            name: `veni${n}`,
            ports: [{ ipv4: [`10.3.200.${n % 250}`], groupIds: [group] }],
          })
        ).ports[0].id,
    });
    Object.assign(fx.ids, {
      vpc,
      group,
      group2,
      rule,
      egressRule,
      prefixList,
      instance: inst.id,
      eni: inst.ports[0].id,
    });
    fx.renewer = async () => {
      const g = (
        await tenant.post<any>('/v1/security-groups', {
          regionId: REGION,
          vpcId: vpc,
          name: `g${++renewals}`,
          template: 'empty',
        })
      ).id;
      const r = await tenant.post<any>(`/v1/security-groups/${g}/rules/batch`, {
        rules: [
          { direction: 'ingress', protocol: 'tcp', ports: '22', remoteIpPrefix: '192.0.2.0/24' },
          { direction: 'egress', protocol: 'udp', ports: '53', remoteIpPrefix: '192.0.2.53/32' },
        ],
      });
      Object.assign(fx.ids, { group: g, rule: r.rules[0].id, egressRule: r.rules[1].id });
    };
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  it(
    `every action, unknown actions and prototype names as Action, signed and not (seed ${SEED})`,
    { timeout: 300_000 },
    async () => {
      const run = new FuzzRun(t.url, 'alibaba', SEED);
      const host = new URL(t.url).host;
      await run.resync();
      let writes = fx.writes;
      const started = Date.now();
      const samples = fc.sample(arbSample, { seed: SEED, numRuns: RUNS * SUPPORTED_ACTIONS.length });
      // Every supported action valid, and every bad action, at least once.
      const seeded: Sample[] = [
        ...SUPPORTED_ACTIONS.map((action, i) => ({ ...samples[i], action, attack: 'valid' as const })),
        ...BAD_ACTIONS.map((badAction, i) => ({ ...samples[i], attack: 'action' as const, badAction })),
      ].map((x, i) => ({
        ...x,
        values: fc.sample(fc.tuple(...specOf(x.action).map((ps) => ps.value)), {
          seed: SEED + i,
          numRuns: 1,
        })[0],
      }));
      for (const sampled of [...seeded, ...samples]) {
        const s = fitted(sampled);
        const { pairs, label, trigger, reject, broken } = pairsOf(s);
        const auth = s.attack === 'auth' ? s.auth : undefined;
        let used: string[] = [];
        const fuzzCase: FuzzCase = {
          api: 'Alibaba ECS',
          op: s.action,
          label: [s.transport, ...label, ...(s.xml ? ['Format=XML'] : [])].join('; '),
          trigger,
          // A body that replaced the form loses the parameters in it, Format among them.
          envelope: alibabaError(broken || s.attack === 'jsonBody' ? 'either' : s.xml ? 'XML' : 'JSON'),
          expect: reject ? 'reject' : undefined,
          repeat: auth === 'replay' ? 2 : 1,
          build: async () => {
            const { value, used: u } = await fx.resolve(pairs);
            used = u;
            const resolved = value as [string, string | { raw: string }][];
            const req = requestOf(s, resolved, host, auth === 'adminKey' ? ADMIN : key, {
              xml: s.xml,
              auth,
              jsonBody: s.attack === 'jsonBody',
            });
            if (fx.writes !== writes) {
              writes = fx.writes;
              await run.resync();
            }
            return req;
          },
        };
        const answers = await run.run(fuzzCase);
        if (answers[0] && answers[0].status < 300) fx.consumed(used);
        if (answers[0] && answers[0].status < 300 && fuzzCase.expect === 'reject') await fx.renew();
      }
      // Every prototype name in every closed rule field of a rule write: all refused.
      for (const name of PROTO_NAMES)
        for (const [action, field] of [
          ['AuthorizeSecurityGroup', 'IpProtocol'],
          ['AuthorizeSecurityGroupEgress', 'IpProtocol'],
          ['ModifySecurityGroupRule', 'IpProtocol'],
          ['AuthorizeSecurityGroup', 'Policy'],
          ['AuthorizeSecurityGroup', 'NicType'],
          ['AuthorizeSecurityGroup', 'PortRange'],
          ['RevokeSecurityGroup', 'IpProtocol'],
        ]) {
          const s: Sample = {
            ...samples[0],
            action,
            attack: 'valid',
            transport: 'v1get',
            xml: false,
            values: [],
          };
          const rule: [string, string][] = [
            ['IpProtocol', field === 'PortRange' ? 'tcp' : 'ICMP'],
            ['PortRange', '-1/-1'],
            [action.endsWith('Egress') ? 'DestCidrIp' : 'SourceCidrIp', '10.0.0.0/8'],
          ];
          const answers = await run.run({
            api: 'Alibaba ECS',
            op: action,
            label: `${field}=${name}`,
            trigger: `${field}=<inherited name>`,
            envelope: alibabaError('JSON'),
            expect: 'reject',
            build: async () => {
              const params: [string, string][] = [
                ['RegionId', REGION],
                ['SecurityGroupId', fx.ids.group],
                ...(action.startsWith('Modify')
                  ? ([['SecurityGroupRuleId', fx.ids.rule]] as [string, string][])
                  : []),
                ...rule.filter(([k]) => k !== field),
                [field, name],
              ];
              return requestOf(s, params, host, key, { xml: false, jsonBody: false });
            },
          });
          if (answers[0] && answers[0].status < 300) await fx.renew();
          await run.resync();
        }
      for (const extra of extraCases(key)) await run.run(extra);
      console.log(
        `alibaba fuzz (seed ${SEED}): ${run.requests} requests, ${run.failures.length} failing checks, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      run.assertClean();
    },
  );

  it('prototype names are ordinary data: names, descriptions and tag keys keep them', async () => {
    const call = async (action: string, params: [string, string][]) => {
      const { path } = v1Request(key, action, params);
      const res = await send(t.url, { method: 'GET', path, headers: {} });
      return { status: res.status, body: res.json as any, text: res.text };
    };
    const problems: string[] = [];
    for (const name of MAIN_PROTO_NAMES) {
      // ECS names start with a letter: "__proto__" is not one, the others are.
      const groupName = /^[A-Za-z]/.test(name) ? name : `g${name}`;
      const created = await call('CreateSecurityGroup', [
        ['RegionId', REGION],
        ['VpcId', fx.ids.vpc],
        ['SecurityGroupName', groupName],
        ['Description', name],
      ]);
      if (created.status !== 200)
        problems.push(
          `CreateSecurityGroup SecurityGroupName=${groupName} answered ${created.status} ${created.text.slice(0, 200)}`,
        );
      else {
        const shown = await call('DescribeSecurityGroupAttribute', [
          ['RegionId', REGION],
          ['SecurityGroupId', created.body.SecurityGroupId],
        ]);
        if (shown.body?.SecurityGroupName !== groupName || shown.body?.Description !== name)
          problems.push(
            `a group named ${groupName} came back as ${JSON.stringify({ name: shown.body?.SecurityGroupName, description: shown.body?.Description })}`,
          );
      }
      const tagged = await call('CreateSecurityGroup', [
        ['RegionId', REGION],
        ['VpcId', fx.ids.vpc],
        ['SecurityGroupName', 'tagged'],
        ['Tag.1.Key', name],
        ['Tag.1.Value', name],
      ]);
      if (tagged.status !== 200)
        problems.push(
          `CreateSecurityGroup Tag.1.Key=${name} answered ${tagged.status} ${tagged.text.slice(0, 200)}`,
        );
      else {
        const listed = await call('DescribeSecurityGroups', [
          ['RegionId', REGION],
          ['SecurityGroupId', tagged.body.SecurityGroupId],
        ]);
        if (!JSON.stringify(listed.body ?? {}).includes(`"TagKey":"${name}"`))
          problems.push(
            `tag key ${name} was not kept: ${JSON.stringify(listed.body?.SecurityGroups?.SecurityGroup?.[0]?.Tags ?? null)}`,
          );
      }
      const pl = await call('CreatePrefixList', [
        ['RegionId', REGION],
        ['PrefixListName', groupName],
        ['AddressFamily', 'IPv4'],
        ['MaxEntries', '10'],
        ['Description', name],
      ]);
      if (pl.status !== 200)
        problems.push(
          `CreatePrefixList PrefixListName=${groupName} answered ${pl.status} ${pl.text.slice(0, 200)}`,
        );
    }
    expect(problems).toEqual([]);
  });
});

/** A signature-1.0 GET of one action, signed with the key. */
function v1Request(key: Key, action: string, params: [string, string][]): { path: string } {
  const all: [string, string][] = [
    ['Action', action],
    ['Format', 'JSON'],
    ['Version', '2014-05-26'],
    ['AccessKeyId', key.id],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', nonce()],
    ['Timestamp', isoSeconds(Date.now())],
    ...params,
  ];
  const sig = v1Signature(key.secret, v1StringToSign('GET', all));
  return {
    path: `/?${[...all, ['Signature', sig]].map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`,
  };
}

/** Requests outside any action: no parameters, other methods and paths, other content types. */
function extraCases(key: Key): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (label: string, build: () => RawRequest, format: 'JSON' | 'XML' | 'either' = 'JSON') =>
    cases.push({
      api: 'Alibaba ECS',
      op: 'RPC framing',
      label,
      build,
      envelope: alibabaError(format),
      expect: 'reject',
    });
  add('GET / without any parameter', () => ({ method: 'GET', path: '/', headers: {} }));
  add('POST / with an empty form body', () => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  }));
  add('POST / with an empty JSON body', () => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/json' },
    body: '',
  }));
  add('POST / with a JSON body that is not JSON', () => ({
    method: 'POST',
    path: '/?Action=DescribeRegions',
    headers: { 'content-type': 'application/json' },
    body: '{',
  }));
  add('POST / with 10,000 nested arrays as JSON', () => ({
    method: 'POST',
    path: '/?Action=DescribeRegions',
    headers: { 'content-type': 'application/json' },
    body: DEEP_ARRAY_JSON,
  }));
  add('POST / as text/plain', () => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'text/plain' },
    body: 'Action=DescribeRegions',
  }));
  add('POST / as multipart', () => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    body: '--XyZ\r\nContent-Disposition: form-data; name="Action"\r\n\r\nDescribeRegions\r\n--XyZ--\r\n',
  }));
  add('POST / with a 9 MB form body', () => ({
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `Action=DescribeRegions&Description=${'d'.repeat(9 * 1024 * 1024)}`,
  }));
  add(
    'POST / with a 9 MB form body, Format=XML',
    () => ({
      method: 'POST',
      path: '/?Format=XML',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=DescribeRegions&Format=XML&Description=${'d'.repeat(9 * 1024 * 1024)}`,
    }),
    'XML',
  );
  for (const action of MAIN_PROTO_NAMES)
    add(`Action=${action}, unsigned`, () => ({
      method: 'GET',
      path: `/?Action=${action}&Version=2014-05-26`,
      headers: {},
    }));
  add('x-acs-action: constructor, unsigned', () => ({
    method: 'POST',
    path: '/',
    headers: {
      'x-acs-action': 'constructor',
      'x-acs-version': '2014-05-26',
      authorization: 'ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=y',
    },
  }));
  add(
    'Format=XML and Action=__proto__',
    () => ({ method: 'GET', path: '/?Action=__proto__&Version=2014-05-26&Format=XML', headers: {} }),
    'XML',
  );
  add(
    'a broken percent-encoding in the form body',
    () => ({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeRegions&RegionId=%E0%A4%A',
    }),
    'either',
  );
  add('GET /?__proto__[x]=1 (a bracket parameter)', () => ({
    method: 'GET',
    path: '/?__proto__%5Bx%5D=1&constructor%5Bprototype%5D%5Bx%5D=1',
    headers: {},
  }));
  add('an ACS3 request for another host', () => ({
    method: 'POST',
    path: '/',
    headers: {
      host: 'evil.example',
      'x-acs-action': 'DescribeRegions',
      'x-acs-version': '2014-05-26',
      'x-acs-date': isoSeconds(Date.now()),
      'x-acs-signature-nonce': nonce(),
      authorization: `ACS3-HMAC-SHA256 Credential=${key.id},SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=${'0'.repeat(64)}`,
    },
  }));
  return cases;
}
