// The group management calls of the console (create, clone, rename, delete) and what their
// forms read (templates, VPCs), typed as the native API answers them.
import { ApiError, type Client, type Group, type GroupWithRules, type Page, query, seg } from '../api';

export interface TemplateRule {
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string;
  ports?: { from: number; to: number }[];
  remote: { kind: string; cidr?: string; groupId?: string; addressGroupId?: string };
  action: 'allow' | 'deny';
  priority?: number;
}

export interface Template {
  id: string;
  name: string;
  profiles: string[];
  rules: TemplateRule[];
}

export interface Vpc {
  id: string;
  tenantId: string;
  regionId: string;
  name: string;
  cidr?: string;
}

export const templates = (api: Client) => api.get<{ items: Template[] }>('/v1/templates');

export const vpcsOf = (api: Client, regionId: string) =>
  api.get<Page<Vpc>>(`/v1/vpcs${query({ regionId, limit: '200' })}`);

export interface NewGroup {
  regionId: string;
  vpcId: string;
  name: string;
  description?: string;
  /** A template id, or "empty"; absent: the profile's starting rules. */
  template?: string;
  /** Operator keys: whose group. */
  tenantId?: string;
}

export const createGroup = (api: Client, group: NewGroup) =>
  api.post<GroupWithRules>('/v1/security-groups', group);

export const cloneGroup = (api: Client, id: string, clone: { name: string; description?: string }) =>
  api.post<GroupWithRules>(`/v1/security-groups/${seg(id)}/clone`, clone);

export const renameGroup = (api: Client, id: string, patch: { name?: string; description?: string }) =>
  api.patch<Group>(`/v1/security-groups/${seg(id)}`, patch);

export const deleteGroup = (api: Client, id: string) => api.delete(`/v1/security-groups/${seg(id)}`);

/** What keeps a group from being deleted, from the 409's facts. */
export interface InUse {
  code: string;
  message: string;
  ports: string[];
  groups: string[];
}

export function inUseOf(error: unknown): InUse | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  return {
    code: error.code,
    message: error.message,
    ports: error.facts.ports ?? [],
    groups: error.facts.referencedBy ?? [],
  };
}
