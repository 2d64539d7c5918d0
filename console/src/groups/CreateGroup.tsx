// The form that creates a security group: region, a VPC of that region, name, description, and
// the rules it starts with (a template of the region's profile, none, or the profile's starting
// rules), each template's rules shown before choosing. The API's refusals appear at their
// fields; a created group's page opens.
import { Alert } from '../pages/Status';
import { type FormEvent, useState } from 'react';
import { asError, type Client, type Region } from '../api';
import { Field, unplaced } from '../Field';
import { hrefOf, navigate } from '../router';
import { useLoad } from '../useLoad';
import { createGroup, type Template, type TemplateRule, templates, vpcsOf } from './groups-api';
import './groups.css';

/** The template choice's own values beside the templates' ids. */
const STARTING = '';
const EMPTY = 'empty';

const FIELDS = ['regionId', 'vpcId', 'name', 'description', 'template', 'tenantId'] as const;

export function CreateGroup({ api, regions }: { api: Client; regions: Region[] }) {
  const operator = api.session.role === 'admin';
  const [regionId, setRegionId] = useState(regions[0]?.id ?? '');
  const [vpcId, setVpcId] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [template, setTemplate] = useState(EMPTY);
  const [tenantId, setTenantId] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [saving, setSaving] = useState(false);

  const profile = regions.find((r) => r.id === regionId)?.profile;
  const vpcs = useLoad(() => (regionId ? vpcsOf(api, regionId) : Promise.resolve(null)), [api, regionId]);
  const all = useLoad(() => templates(api), [api]);
  const tenants = useLoad(() => (operator ? api.tenants() : Promise.resolve(null)), [api, operator]);
  const offered: Template[] =
    all.state === 'done' && profile ? all.data.items.filter((t) => t.profiles.includes(profile)) : [];
  // A VPC of the chosen region (and, for an operator, of the chosen tenant).
  const vpcChoices =
    vpcs.state === 'done' && vpcs.data
      ? vpcs.data.items.filter((v) => !operator || !tenantId || v.tenantId === tenantId)
      : [];
  const chosenVpc = vpcChoices.some((v) => v.id === vpcId) ? vpcId : (vpcChoices[0]?.id ?? '');
  const chosen = offered.find((t) => t.id === template);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const group = await createGroup(api, {
        regionId,
        vpcId: chosenVpc,
        name,
        ...(description ? { description } : {}),
        ...(template === STARTING ? {} : { template }),
        ...(operator ? { tenantId } : {}),
      });
      navigate(hrefOf({ page: 'group', id: group.id }));
    } catch (err) {
      setError(asError(err));
      setSaving(false);
    }
  };

  const formError = unplaced(error, FIELDS);
  return (
    <form className="panel" aria-labelledby="create-group-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="create-group-title">New security group</h2>
      <Alert>{formError}</Alert>
      <div className="form-grid">
        {operator && (
          <Field id="new-group-tenant" label="Tenant" field="tenantId" error={error}>
            <select value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
              <option value="">Choose a tenant</option>
              {tenants.state === 'done' &&
                tenants.data?.items.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name} ({t.id})
                  </option>
                ))}
            </select>
          </Field>
        )}
        <Field id="new-group-region" label="Region" field="regionId" error={error}>
          <select
            value={regionId}
            onChange={(e) => {
              setRegionId(e.target.value);
              setVpcId('');
              setTemplate(EMPTY);
            }}
          >
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name ? `${r.name} (${r.id})` : r.id} · {r.profile}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="new-group-vpc"
          label="VPC"
          field="vpcId"
          error={error}
          hint={
            vpcChoices.length ? undefined : 'No VPC in this region yet: create one first (POST /v1/vpcs).'
          }
        >
          <select value={chosenVpc} onChange={(e) => setVpcId(e.target.value)}>
            {vpcChoices.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} ({v.id})
              </option>
            ))}
          </select>
        </Field>
        <Field id="new-group-name" label="Name" field="name" error={error}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field id="new-group-description" label="Description" field="description" error={error}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
        <Field
          id="new-group-template"
          label="Rules to start with"
          field="template"
          error={error}
          hint="A template's rules are copied into the group; change them afterwards like any rule."
        >
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value={EMPTY}>None (an empty group)</option>
            <option value={STARTING}>The {profile ?? 'profile'} profile's starting rules</option>
            {offered.map((t) => (
              <option key={t.id} value={t.id}>
                Template: {t.name} ({t.rules.length} rules: {summaryOf(t)})
              </option>
            ))}
          </select>
        </Field>
      </div>
      {chosen && <TemplateRules template={chosen} />}
      {template === STARTING && (
        <p className="muted">
          What a group made through the {profile} cloud's own API starts with (the same rules a new group gets
          there).
        </p>
      )}
      <p>
        <button type="submit" disabled={saving}>
          {saving ? 'Creating…' : 'Create group'}
        </button>
      </p>
    </form>
  );
}

/** What a template puts in the group, rule by rule. */
function TemplateRules({ template }: { template: Template }) {
  return (
    <table className="compact">
      <caption>Rules of the template {template.name}</caption>
      <thead>
        <tr>
          <th scope="col">Direction</th>
          <th scope="col">Action</th>
          <th scope="col">Protocol</th>
          <th scope="col">Ports</th>
          <th scope="col">Remote</th>
        </tr>
      </thead>
      <tbody>
        {template.rules.map((r, i) => (
          <tr key={i}>
            <td>{r.direction === 'ingress' ? 'inbound' : 'outbound'}</td>
            <td>{r.action}</td>
            <td>
              {r.protocol} {r.ethertype}
            </td>
            <td>{portsOf(r)}</td>
            <td>{remoteOf(r)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A template in a few words: the inbound ports it opens. */
function summaryOf(t: Template): string {
  const ports = [...new Set(t.rules.filter((r) => r.direction === 'ingress').map(portsOf))];
  return `inbound ${ports.join(', ')}`;
}

const portsOf = (r: TemplateRule) =>
  r.ports?.length
    ? r.ports.map((p) => (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`)).join(', ')
    : 'all';

function remoteOf(r: TemplateRule): string {
  if (r.remote.cidr) return r.remote.cidr;
  // A template names the new group itself with this placeholder (core/profiles.ts SELF).
  if (r.remote.groupId) return r.remote.groupId === '$self' ? 'this group' : r.remote.groupId;
  if (r.remote.addressGroupId) return r.remote.addressGroupId;
  return r.ethertype === 'IPv6' ? 'any (::/0)' : 'any (0.0.0.0/0)';
}
