// DescribeRegions (the alibaba-profile regions) and prefix lists, which are Palisade address
// groups: CreatePrefixList, DescribePrefixLists, DescribePrefixListAttributes, ModifyPrefixList,
// DeletePrefixList.
import { cidrFamily } from '../../core/address.js';
import type { AddressGroup } from '../../core/model.js';
import {
  createAddressGroup,
  deleteAddressGroup,
  updateAddressGroup,
} from '../../control/ops/address-groups.js';
import { AliError, maxEntriesExceeded, missing } from './errors.js';
import { type Call, checkDescription, page } from './call.js';
import type { Params } from './params.js';

export function describeRegions(call: Call) {
  const regions = call.scope
    .regions('alibaba')
    .map((r) => r.region)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    Regions: {
      Region: regions.map((r) => ({
        RegionId: r.id,
        LocalName: r.name ?? r.id,
        RegionEndpoint: call.host,
        Status: 'available',
      })),
    },
  };
}

/**
 * A list's MaxEntries: the one CreatePrefixList kept; an address group made through another API
 * has none of its own, and the region's quota is its limit.
 */
const maxEntriesOf = (ag: AddressGroup, quota: number) =>
  ag.maxEntries !== undefined && (quota <= 0 || ag.maxEntries < quota) ? ag.maxEntries : quota;

const prefixListNotFound = () =>
  new AliError(404, 'InvalidPrefixListId.NotFound', 'The specified prefix list was not found.');

function prefixListIn(call: Call, id: string): AddressGroup {
  const ag = call.region.addressGroup(id)?.value;
  if (!ag) throw prefixListNotFound();
  return ag;
}

function family(params: Params, required: boolean): 'IPv4' | 'IPv6' | undefined {
  const v = params.get('AddressFamily');
  if (v === undefined) {
    if (required) throw missing('AddressFamily');
    return undefined;
  }
  if (v !== 'IPv4' && v !== 'IPv6')
    throw new AliError(
      400,
      'InvalidParameter.AddressFamily',
      'The parameter AddressFamily should be IPv4 or IPv6.',
    );
  return v;
}

function entries(params: Params, name: string, fam: 'IPv4' | 'IPv6' | undefined): string[] {
  return params.objects(name).map(({ index, fields }) => {
    const cidr = fields.get('Cidr');
    if (cidr === undefined) throw missing(`${name}.${index}.Cidr`);
    const f = cidrFamily(cidr);
    if (!f || (fam && f !== fam))
      throw new AliError(
        400,
        'InvalidParameter.CidrMalformed',
        `The specified parameter ${name}.${index}.Cidr is not a valid ${fam ?? 'IPv4 or IPv6'} CIDR block.`,
      );
    return cidr;
  });
}

function checkPrefixListName(name: string): void {
  if (
    name.length < 2 ||
    name.length > 128 ||
    !/^[A-Za-z\u4e00-\u9fa5]/.test(name) ||
    /^(com\.|https?:\/\/)/.test(name)
  )
    throw new AliError(400, 'InvalidParameter.PrefixListName', 'The parameter PrefixListName is not valid.');
}

export async function createPrefixList(call: Call) {
  const { params } = call;
  const name = params.require('PrefixListName');
  checkPrefixListName(name);
  const fam = family(params, true);
  if (!params.has('MaxEntries')) throw missing('MaxEntries');
  // Kept with the list and enforced on every later change (ModifyPrefixList's AddEntry too).
  const maxEntries = params.int('MaxEntries', 1, 1, 200);
  const description = params.get('Description');
  if (description !== undefined) checkDescription(description);
  const given = entries(params, 'Entry', fam);
  if (given.length > maxEntries) throw maxEntriesExceeded();
  const result = await createAddressGroup(
    call.svc,
    call.p,
    {
      regionId: call.region.region.id,
      name,
      ethertype: fam,
      entries: given,
      maxEntries,
      ...(description !== undefined ? { description } : {}),
    },
    call.opts,
  );
  return { PrefixListId: result.body.id };
}

export function describePrefixLists(call: Call) {
  const { params, region: r } = call;
  const ids = new Set(params.list('PrefixListId'));
  const name = params.get('PrefixListName');
  const fam = family(params, false);
  const all = r
    .addressGroups()
    .map((a) => a.value)
    .filter(
      (ag) =>
        (!ids.size || ids.has(ag.id)) &&
        (name === undefined || ag.name === name) &&
        (fam === undefined || (ag.ethertype ?? 'IPv4') === fam),
    );
  const paged = page(params, all, { defaultSize: 10, maxSize: 100, maxResults: 100 });
  return {
    NextToken: paged.body.NextToken ?? '',
    PrefixLists: {
      PrefixList: paged.items.map((ag) => ({
        PrefixListId: ag.id,
        PrefixListName: ag.name,
        AddressFamily: ag.ethertype ?? 'IPv4',
        MaxEntries: maxEntriesOf(ag, r.quotasFor(ag.tenantId).entriesPerAddressGroup),
        Description: ag.description ?? '',
        AssociationCount: r.groupsReferencingAddressGroup(ag.id).length,
        CreationTime: ag.createdAt ?? '',
        ResourceGroupId: '',
        Tags: { Tag: [] },
      })),
    },
  };
}

export function describePrefixListAttributes(call: Call) {
  const ag = prefixListIn(call, call.params.require('PrefixListId'));
  return {
    PrefixListId: ag.id,
    PrefixListName: ag.name,
    AddressFamily: ag.ethertype ?? 'IPv4',
    MaxEntries: maxEntriesOf(ag, call.region.quotasFor(ag.tenantId).entriesPerAddressGroup),
    Description: ag.description ?? '',
    CreationTime: ag.createdAt ?? '',
    Entries: { Entry: ag.entries.map((Cidr) => ({ Cidr, Description: '' })) },
  };
}

export async function modifyPrefixList(call: Call) {
  const { params } = call;
  const ag = prefixListIn(call, params.require('PrefixListId'));
  const name = params.get('PrefixListName');
  if (name !== undefined) checkPrefixListName(name);
  const description = params.get('Description');
  if (description !== undefined) checkDescription(description);
  await updateAddressGroup(
    call.svc,
    call.p,
    ag.id,
    {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      add: entries(params, 'AddEntry', ag.ethertype),
      remove: entries(params, 'RemoveEntry', ag.ethertype),
    },
    call.opts,
  );
  return {};
}

export async function deletePrefixList(call: Call) {
  const ag = prefixListIn(call, call.params.require('PrefixListId'));
  await deleteAddressGroup(call.svc, call.p, ag.id, call.opts);
  return {};
}
