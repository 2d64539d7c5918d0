// Ports as ECS shows them: an elastic network interface (ENI) is a Palisade port; an ENI made
// by CreateNetworkInterface is a Palisade instance holding that one port (VSwitchId names the
// Palisade VPC: Palisade has no vSwitches). DescribeInstances lists Palisade instances;
// JoinSecurityGroup / LeaveSecurityGroup act on an ENI, or on an instance's primary (first) port.
import type { Instance, Port } from '../../core/model.js';
import { createInstance, deleteInstance, joinGroup, leaveGroup } from '../../control/ops/instances.js';
import { AliError, missing } from './errors.js';
import { type Call, groupIn, page } from './call.js';

const eniNotFound = () =>
  new AliError(404, 'InvalidEniId.NotFound', 'The specified NetworkInterfaceId does not exist.');
const instanceNotFound = () =>
  new AliError(404, 'InvalidInstanceId.NotFound', 'The specified InstanceId does not exist.');

function instanceIn(call: Call, id: string): Instance {
  const inst = call.region.instance(id)?.value;
  if (!inst) throw instanceNotFound();
  return inst;
}

function portIn(call: Call, id: string): { inst: Instance; port: Port } {
  const at = call.region.port(id);
  if (!at) throw eniNotFound();
  return { inst: at.instance.value, port: at.port };
}

function eniView(inst: Instance, port: Port, index: number) {
  return {
    NetworkInterfaceId: port.id,
    NetworkInterfaceName: inst.ports.length === 1 ? inst.name : `${inst.name}/${index}`,
    Description: '',
    Status: 'InUse',
    Type: index === 0 ? 'Primary' : 'Secondary',
    InstanceId: inst.id,
    VpcId: inst.vpcId ?? '',
    VSwitchId: inst.vpcId ?? '',
    ZoneId: '',
    PrivateIpAddress: port.ipv4[0] ?? '',
    PrivateIpSets: { PrivateIpSet: port.ipv4.map((ip, i) => ({ PrivateIpAddress: ip, Primary: i === 0 })) },
    Ipv6Sets: { Ipv6Set: port.ipv6.map((ip) => ({ Ipv6Address: ip })) },
    MacAddress: '',
    SecurityGroupIds: { SecurityGroupId: [...port.groupIds] },
    AssociatedPublicIp: { PublicIpAddress: port.publicIpv4 ?? '', AllocationId: '' },
    Attachment: { InstanceId: inst.id, DeviceIndex: index },
    CreationTime: '',
    Tags: { Tag: [] },
  };
}

export async function createNetworkInterface(call: Call) {
  const { params } = call;
  const vpcId = params.get('VSwitchId');
  if (vpcId === undefined) throw missing('VSwitchId');
  const groupIds = params.list('SecurityGroupIds');
  const single = params.get('SecurityGroupId');
  if (single !== undefined && groupIds.length)
    throw new AliError(
      400,
      'InvalidParameter.Conflict',
      'SecurityGroupId and SecurityGroupIds.N cannot be specified at the same time.',
    );
  if (single !== undefined) groupIds.push(single);
  if (!groupIds.length) throw missing('SecurityGroupId');
  if (!call.region.vpc(vpcId))
    throw new AliError(404, 'InvalidVSwitchId.NotFound', 'The specified VSwitchId does not exist.');
  for (const id of groupIds) groupIn(call, id);
  const primary = params.get('PrimaryIpAddress');
  const ipv4 = [...(primary !== undefined ? [primary] : []), ...params.list('PrivateIpAddress')];
  const ipv6 = params.list('Ipv6Address');
  const name = params.get('NetworkInterfaceName') ?? 'eni';
  const result = await createInstance(
    call.svc,
    call.p,
    { regionId: call.region.region.id, vpcId, name, ports: [{ ipv4, ipv6, groupIds }] },
    call.opts,
  );
  const inst = result.body;
  const port = inst.ports[0];
  return {
    NetworkInterfaceId: port.id,
    NetworkInterfaceName: inst.name,
    Status: 'Available',
    Type: 'Secondary',
    VpcId: vpcId,
    VSwitchId: vpcId,
    ZoneId: '',
    PrivateIpAddress: port.ipv4[0] ?? '',
    PrivateIpSets: { PrivateIpSet: port.ipv4.map((ip, i) => ({ PrivateIpAddress: ip, Primary: i === 0 })) },
    Ipv6Sets: { Ipv6Set: port.ipv6.map((ip) => ({ Ipv6Address: ip })) },
    SecurityGroupIds: { SecurityGroupId: port.groupIds },
    MacAddress: '',
    Description: '',
    ResourceGroupId: '',
    OwnerId: inst.tenantId,
    Tags: { Tag: [] },
  };
}

export function describeNetworkInterfaces(call: Call) {
  const { params, region: r } = call;
  const ids = new Set(params.list('NetworkInterfaceId'));
  const instanceId = params.get('InstanceId');
  const groupId = params.get('SecurityGroupId');
  const vpcId = params.get('VpcId') ?? params.get('VSwitchId');
  const ips = new Set(params.list('PrivateIpAddress'));
  const type = params.get('Type');
  const all = r
    .instances()
    .map((i) => i.value)
    .flatMap((inst) => inst.ports.map((port, index) => ({ id: port.id, inst, port, index })))
    .filter(
      ({ inst, port, index }) =>
        (!ids.size || ids.has(port.id)) &&
        (instanceId === undefined || inst.id === instanceId) &&
        (groupId === undefined || port.groupIds.includes(groupId)) &&
        (vpcId === undefined || inst.vpcId === vpcId) &&
        (!ips.size || port.ipv4.some((ip) => ips.has(ip))) &&
        (type === undefined || (index === 0 ? 'Primary' : 'Secondary') === type),
    );
  const paged = page(params, all, { defaultSize: 10, maxSize: 500, maxResults: 500 });
  return {
    ...paged.body,
    NetworkInterfaceSets: {
      NetworkInterfaceSet: paged.items.map(({ inst, port, index }) => eniView(inst, port, index)),
    },
  };
}

export async function deleteNetworkInterface(call: Call) {
  const id = call.params.require('NetworkInterfaceId');
  // DeleteNetworkInterface's error table gives this one 403 (Join/LeaveSecurityGroup's, 404).
  if (!call.region.port(id))
    throw new AliError(403, 'InvalidEniId.NotFound', 'The specified NetworkInterfaceId does not exist.');
  const { inst } = portIn(call, id);
  if (inst.ports.length !== 1)
    throw new AliError(
      403,
      'InvalidOperation.InvalidEniType',
      `The network interface belongs to instance ${inst.id} with ${inst.ports.length} interfaces; delete the instance instead.`,
    );
  await deleteInstance(call.svc, call.p, inst.id, call.opts);
  return {};
}

export function describeInstances(call: Call) {
  const { params, region: r } = call;
  const ids = params.jsonList('InstanceIds', 100);
  const vpcId = params.get('VpcId') ?? params.get('VSwitchId');
  const groupId = params.get('SecurityGroupId');
  const name = params.get('InstanceName');
  const all = r
    .instances()
    .map((i) => i.value)
    .filter(
      (inst) =>
        (!ids || ids.includes(inst.id)) &&
        (vpcId === undefined || inst.vpcId === vpcId) &&
        (groupId === undefined || inst.ports.some((pt) => pt.groupIds.includes(groupId))) &&
        (name === undefined || inst.name === name),
    );
  const paged = page(params, all, { defaultSize: 10, maxSize: 100, maxResults: 100 });
  return {
    ...paged.body,
    Instances: {
      Instance: paged.items.map((inst) => ({
        InstanceId: inst.id,
        InstanceName: inst.name,
        RegionId: r.region.id,
        Status: 'Running',
        InstanceNetworkType: inst.vpcId === null ? 'classic' : 'vpc',
        VpcAttributes: {
          VpcId: inst.vpcId ?? '',
          VSwitchId: inst.vpcId ?? '',
          PrivateIpAddress: { IpAddress: inst.vpcId === null ? [] : (inst.ports[0]?.ipv4 ?? []) },
          NatIpAddress: '',
        },
        InnerIpAddress: { IpAddress: inst.vpcId === null ? (inst.ports[0]?.ipv4 ?? []) : [] },
        PublicIpAddress: { IpAddress: inst.ports.flatMap((pt) => (pt.publicIpv4 ? [pt.publicIpv4] : [])) },
        SecurityGroupIds: { SecurityGroupId: [...new Set(inst.ports.flatMap((pt) => pt.groupIds))] },
        NetworkInterfaces: {
          NetworkInterface: inst.ports.map((pt, i) => ({
            NetworkInterfaceId: pt.id,
            PrimaryIpAddress: pt.ipv4[0] ?? '',
            Type: i === 0 ? 'Primary' : 'Secondary',
            MacAddress: '',
          })),
        },
      })),
    },
  };
}

/** The port a Join/LeaveSecurityGroup names: NetworkInterfaceId, or InstanceId's primary port. */
function targetPort(call: Call): Port {
  const eni = call.params.get('NetworkInterfaceId');
  const instanceId = call.params.get('InstanceId');
  if (eni !== undefined && instanceId !== undefined)
    throw new AliError(
      403,
      'InvalidParam.EniIdAndInstanceId.Conflict',
      'InstanceId and NetworkInterfaceId cannot be specified at the same time.',
    );
  if (eni !== undefined) return portIn(call, eni).port;
  if (instanceId === undefined) throw missing('InstanceId');
  const inst = instanceIn(call, instanceId);
  if (!inst.ports.length) throw instanceNotFound();
  return inst.ports[0];
}

export async function joinSecurityGroup(call: Call) {
  const g = groupIn(call);
  const port = targetPort(call);
  if (port.groupIds.includes(g.meta.id))
    throw new AliError(
      403,
      'InvalidInstanceId.AlreadyExists',
      'The specified instance already exists in the specified security group.',
    );
  await joinGroup(call.svc, call.p, port.id, g.meta.id, undefined, call.opts);
  return {};
}

export async function leaveSecurityGroup(call: Call) {
  const g = groupIn(call);
  const port = targetPort(call);
  if (!port.groupIds.includes(g.meta.id))
    throw new AliError(
      400,
      'InvalidSecurityGroupAssociation.NotFound',
      'The specified instance or network interface is not in the specified security group.',
    );
  await leaveGroup(call.svc, call.p, port.id, g.meta.id, call.opts);
  return {};
}
