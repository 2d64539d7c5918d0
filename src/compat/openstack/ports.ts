// /v2.0/ports: a Neutron port is a Palisade port. One made here (with or without a device_id)
// is a Palisade instance holding that one port, named after the port; the ports of instances
// made otherwise show here too (network-views.ts says how). Security groups, port security,
// allowed address pairs, fixed IPs and binding:host_id are the port's; the agent of that host
// enforces it on its tap interface ("tap" + the port id's first 11 characters, as Nova names it).
import type { FastifyInstance } from 'fastify';
import { ServiceError } from '../../control/errors.js';
import {
  createInstance,
  deleteInstance,
  type NetworkPortChange,
  updateNetworkPort,
} from '../../control/ops/instances.js';
import type { FixedIpInput } from '../../control/ops/subnets.js';
import { canonicalIp, cidrFamily, ipFamily } from '../../core/address.js';
import type { Instance, Port } from '../../core/model.js';
import type { Context } from '../../http/context.js';
import {
  badRequest,
  invalidInput,
  NeutronError,
  portHasSecurityGroup,
  portNotFound,
  portSecurityRequired,
  preconditionFailed,
} from './errors.js';
import { toBoolean } from './groups.js';
import { ifMatch, noContent, resourceBody, selfUrl, session, type Session } from './http.js';
import { macOf, type PortAt, portAt, PORT_VIEW, tapInterface, tenantPorts } from './network-views.js';
import { networkOf } from './networks.js';
import {
  asBoolean,
  asInteger,
  asText,
  type CollectionSpec,
  equal,
  listItems,
  queryOf,
  render,
} from './query.js';
import { checkAttributes, checkString, py } from './rule-input.js';

const PORT_ATTRS: [string, boolean][] = [
  ['id', false],
  ['name', true],
  ['tenant_id', true],
  ['project_id', true],
  ['network_id', true],
  ['mac_address', true],
  ['admin_state_up', true],
  ['status', false],
  ['fixed_ips', true],
  ['device_id', true],
  ['device_owner', true],
  ['security_groups', true],
  ['port_security_enabled', true],
  ['allowed_address_pairs', true],
  ['binding:host_id', true],
  ['binding:vnic_type', true],
  ['description', true],
  ['created_at', false],
  ['updated_at', false],
  ['revision_number', false],
];
const UPDATABLE = new Set([
  'name',
  'admin_state_up',
  'fixed_ips',
  'device_id',
  'device_owner',
  'security_groups',
  'port_security_enabled',
  'allowed_address_pairs',
  'binding:host_id',
  'binding:vnic_type',
  'description',
]);

const PORT_SPEC: CollectionSpec = {
  collection: 'ports',
  filters: {
    id: asText,
    name: asText,
    network_id: asText,
    tenant_id: asText,
    project_id: asText,
    mac_address: asText,
    device_id: asText,
    device_owner: asText,
    status: asText,
    admin_state_up: asBoolean('admin_state_up'),
    port_security_enabled: asBoolean('port_security_enabled'),
    'binding:host_id': asText,
    fixed_ips: asText,
    security_groups: asText,
    revision_number: asInteger,
    description: asText,
  },
  sortKeys: new Set([
    'id',
    'name',
    'network_id',
    'tenant_id',
    'project_id',
    'mac_address',
    'device_id',
    'status',
  ]),
  tags: true,
};

/** fixed_ips=ip_address=X / subnet_id=Y (a port matches if one of its fixed IPs does); security_groups=G. */
function portFilter(key: string, actual: unknown, wanted: unknown): boolean {
  if (key === 'security_groups') return (actual as string[]).includes(String(wanted));
  if (key !== 'fixed_ips') return equal(actual, wanted);
  const [field, ...rest] = String(wanted).split('=');
  const value = rest.join('=');
  if (field !== 'ip_address' && field !== 'subnet_id' && field !== 'ip_address_substr')
    throw badRequest(`Invalid input for fixed_ips. Reason: '${py(wanted)}' is not a valid fixed IP filter.`);
  return (actual as { subnet_id: string | null; ip_address: string }[]).some((f) =>
    field === 'ip_address_substr'
      ? f.ip_address.includes(value)
      : (field === 'ip_address' ? f.ip_address : f.subnet_id) === value,
  );
}

function portOf(s: Session, id: string): PortAt {
  const at = portAt(s.r, id);
  if (!at) throw portNotFound(id);
  return at;
}

function listOf(attr: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw badRequest(`Invalid input for ${attr}. Reason: '${py(v)}' is not a list.`);
  return v;
}

function dictOf(attr: string, v: unknown, keys: string[]): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw badRequest(`Invalid input for ${attr}. Reason: '${py(v)}' is not a dictionary.`);
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length)
    throw badRequest(`Invalid input for ${attr}. Reason: Unrecognized attribute(s) '${extra.join(', ')}'.`);
  return v as Record<string, unknown>;
}

function fixedIpsOf(v: unknown): FixedIpInput[] {
  return listOf('fixed_ips', v).map((item) => {
    const d = dictOf('fixed_ips', item, ['subnet_id', 'ip_address']);
    const out: FixedIpInput = {};
    if (d.subnet_id !== undefined) out.subnetId = checkString('fixed_ips', d.subnet_id, 255);
    if (d.ip_address !== undefined) {
      const ip = checkString('fixed_ips', d.ip_address, 64);
      if (!ipFamily(ip)) throw invalidInput(`'${ip}' is not a valid IP address`);
      out.ipAddress = ip;
    }
    return out;
  });
}

function groupsOf(v: unknown): string[] {
  return [...new Set(listOf('security_groups', v).map((g) => checkString('security_groups', g, 255)))];
}

/**
 * allowed_address_pairs as virtual IPs. Palisade's virtual IPs are addresses: an ip_address
 * that is a CIDR must be a single host (/32, /128); a pair's mac_address must be the port's own.
 */
function pairsOf(v: unknown, portMac: string | undefined): string[] {
  const out: string[] = [];
  for (const item of listOf('allowed_address_pairs', v)) {
    const d = dictOf('allowed_address_pairs', item, ['ip_address', 'mac_address']);
    if (d.ip_address === undefined)
      throw new NeutronError(
        400,
        'AllowedAddressPairsMissingIP',
        'AllowedAddressPair must contain ip_address',
      );
    const text = checkString('allowed_address_pairs', d.ip_address, 64);
    const family = cidrFamily(text);
    if (!family) throw invalidInput(`'${text}' is not a valid IP address`);
    const [address, prefix] = text.split('/');
    if (prefix !== undefined && Number(prefix) !== (family === 'IPv4' ? 32 : 128))
      throw invalidInput(
        `allowed address pair ${text}: Palisade carries virtual IPs as single addresses, not prefixes`,
      );
    if (d.mac_address !== undefined && d.mac_address !== null) {
      const mac = checkString('allowed_address_pairs', d.mac_address, 17).toLowerCase();
      if (mac !== portMac)
        throw invalidInput(
          `allowed address pair ${text}: Palisade carries pairs on the port's own MAC address only`,
        );
    }
    const ip = canonicalIp(address);
    if (out.includes(ip))
      throw new NeutronError(
        400,
        'DuplicateAddressPairInRequest',
        `Request contains duplicate address pair: mac_address ${portMac ?? 'None'} ip_address ${text}.`,
      );
    out.push(ip);
  }
  return out;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Fixed values Palisade serves: accepted when asked for, refused otherwise. */
function checkFixed(b: Record<string, unknown>): void {
  if (b.admin_state_up !== undefined && !toBoolean(b.admin_state_up))
    throw badRequest('Invalid input for admin_state_up. Reason: a Palisade port is always up.');
  if (b['binding:vnic_type'] !== undefined && b['binding:vnic_type'] !== 'normal')
    throw badRequest(
      `Invalid input for binding:vnic_type. Reason: '${py(b['binding:vnic_type'])}' is not supported by Palisade (only 'normal').`,
    );
  if (b.description !== undefined && checkString('description', b.description, 255) !== '')
    throw badRequest('Invalid input for description. Reason: Palisade keeps no port descriptions.');
}

/** The service's port-security refusal in Neutron's terms: which rule the request broke. */
function portSecurityError(e: unknown, askedForGroups: boolean): unknown {
  if (e instanceof ServiceError && e.code === 'GROUPS_NEED_PORT_SECURITY')
    return askedForGroups ? portSecurityRequired() : portHasSecurityGroup();
  return e;
}

export function portRoutes(ctx: Context, app: FastifyInstance): void {
  const { svc } = ctx;
  const base = '/:regionId/v2.0/ports';

  app.get(base, async (req) => {
    const s = await session(ctx, req);
    const items = tenantPorts(s.r).map((at) => PORT_VIEW.item(at));
    return listItems(PORT_SPEC, items, queryOf(req.url), selfUrl(req), portFilter);
  });

  app.get(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    return { port: render(PORT_VIEW.item(portOf(s, (req.params as { id: string }).id)), queryOf(req.url)) };
  });

  app.post(base, async (req, reply) => {
    const s = await session(ctx, req);
    const raw = req.body as Record<string, unknown> | undefined;
    if (raw && typeof raw === 'object' && 'ports' in raw) throw badRequest('Bulk operation not supported');
    const b = resourceBody(req.body, 'port');
    checkAttributes(b, PORT_ATTRS, s.tenantId, true);
    if (b.network_id === undefined)
      throw badRequest("Failed to parse request. Required attribute 'network_id' not specified");
    const network = networkOf(s, checkString('network_id', b.network_id, 255));
    checkFixed(b);
    const name = b.name === undefined ? '' : checkString('name', b.name, 255);
    let macAddress: string | undefined;
    if (b.mac_address !== undefined) {
      macAddress = checkString('mac_address', b.mac_address, 17).toLowerCase();
      if (!MAC.test(macAddress)) throw invalidInput(`'${py(b.mac_address)}' is not a valid MAC address`);
    }
    const securityEnabled = b.port_security_enabled === undefined ? true : toBoolean(b.port_security_enabled);
    const groupIds = b.security_groups === undefined ? undefined : groupsOf(b.security_groups);
    // No fixed_ips: an address of the network's first subnet (none if it has no subnet).
    const first = network.value.subnets?.[0];
    const fixedIps =
      b.fixed_ips === undefined ? (first ? [{ subnetId: first.id }] : []) : fixedIpsOf(b.fixed_ips);
    const virtualIps =
      b.allowed_address_pairs === undefined ? [] : pairsOf(b.allowed_address_pairs, macAddress);
    const host =
      b['binding:host_id'] === undefined ? '' : checkString('binding:host_id', b['binding:host_id'], 255);
    const device = {
      id: b.device_id === undefined ? '' : checkString('device_id', b.device_id, 255),
      owner: b.device_owner === undefined ? '' : checkString('device_owner', b.device_owner, 255),
    };
    let result;
    try {
      result = await createInstance(
        svc,
        s.p,
        {
          regionId: s.r.id,
          vpcId: network.value.id,
          name,
          ports: [
            {
              name,
              fixedIps,
              ...(groupIds === undefined ? {} : groupIds.length ? { groupIds } : { withoutGroups: true }),
              ...(securityEnabled ? {} : { securityEnabled: false }),
              virtualIps,
              ...(host !== '' ? { host, interfaceOf: tapInterface } : {}),
              ...(macAddress !== undefined ? { macAddress } : {}),
              device,
            },
          ],
        },
        {},
      );
    } catch (e) {
      throw portSecurityError(e, true);
    }
    const port = (result.body as Instance).ports[0];
    reply.code(201);
    return { port: PORT_VIEW.dict(portOf(s, port.id)) };
  });

  app.put(`${base}/:id`, async (req) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const b = resourceBody(req.body, 'port');
    checkAttributes(b, PORT_ATTRS, s.tenantId, false, UPDATABLE);
    checkFixed(b);
    const at = portOf(s, id);
    const port: Port = at.port;
    const change: NetworkPortChange = {};
    if (b.name !== undefined) change.name = checkString('name', b.name, 255);
    if (b.security_groups !== undefined) change.groupIds = groupsOf(b.security_groups);
    if (b.port_security_enabled !== undefined) change.securityEnabled = toBoolean(b.port_security_enabled);
    if (b.allowed_address_pairs !== undefined)
      change.virtualIps = pairsOf(b.allowed_address_pairs, macOf(port));
    if (b.fixed_ips !== undefined) change.fixedIps = fixedIpsOf(b.fixed_ips);
    if (b['binding:host_id'] !== undefined) {
      change.host = checkString('binding:host_id', b['binding:host_id'], 255);
      if (change.host !== '' && port.interface === undefined) change.interface = tapInterface(port.id);
    }
    if (b.device_id !== undefined || b.device_owner !== undefined)
      change.device = {
        id:
          b.device_id === undefined
            ? (port.device?.id ?? port.instanceId)
            : checkString('device_id', b.device_id, 255),
        owner:
          b.device_owner === undefined
            ? (port.device?.owner ?? '')
            : checkString('device_owner', b.device_owner, 255),
      };
    const expected = ifMatch(req);
    if (expected !== undefined && expected !== at.instance.revision)
      throw preconditionFailed(expected, at.instance.revision);
    if (Object.keys(change).length)
      try {
        await updateNetworkPort(svc, s.p, id, change, expected === undefined ? {} : { ifMatch: expected });
      } catch (e) {
        throw portSecurityError(e, (change.groupIds?.length ?? 0) > 0);
      }
    return { port: PORT_VIEW.dict(portOf(s, id)) };
  });

  app.delete(`${base}/:id`, async (req, reply) => {
    const s = await session(ctx, req);
    const id = (req.params as { id: string }).id;
    const at = portOf(s, id);
    const inst = at.instance.value;
    // A port of a several-port instance goes with its instance (the native API deletes that).
    if (inst.ports.length > 1)
      throw new NeutronError(
        409,
        'PortInUse',
        `Unable to complete operation on port ${id} for network ${inst.vpcId ?? ''}. Port already has an attached device ${inst.id}.`,
      );
    const expected = ifMatch(req);
    if (expected !== undefined && expected !== at.instance.revision)
      throw preconditionFailed(expected, at.instance.revision);
    await deleteInstance(svc, s.p, inst.id, expected === undefined ? {} : { ifMatch: expected });
    return noContent(reply);
  });
}
