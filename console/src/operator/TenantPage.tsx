// One tenant (operator): its facts, and per region the quotas binding it with what it uses, each
// editable as the tenant's override (PUT /v1/tenants/{id}/quotas/{regionId}, merged into its
// overrides there) and all reset to the region's (DELETE). The API's refusals appear at the
// quota they are about.
import { type FormEvent, useState } from 'react';
import { asError, type Client, seg, type Tenant } from '../api';
import { Field, unplaced } from '../Field';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { Alert, Failure, Loading } from '../pages/Status';
import { QuotaMeter } from '../quotas/QuotaMeter';
import { QUOTA_LABELS, type QuotaName, readQuotas, type RegionQuotas } from '../quotas/quotas';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import '../groups/groups.css';

export function TenantPage({ api, id }: { api: Client; id: string }) {
  const changes = useChanges((c) => c.tenantId === id || c.tenantId === null);
  const tenant = useLoad(
    () => api.get<Tenant & { revision: number; quotas?: Record<string, object> }>(`/v1/tenants/${seg(id)}`),
    [api, id],
    changes,
  );
  const quotas = useLoad(() => readQuotas(api, { tenantId: id }), [api, id], changes);
  const reload = () => {
    if (tenant.state !== 'loading') tenant.reload();
    if (quotas.state !== 'loading') quotas.reload();
  };
  const crumbs = (
    <p className="crumbs">
      <Link href={hrefOf({ page: 'tenants' })}>Tenants</Link> / {id}
    </p>
  );
  if (tenant.state === 'loading') return <Loading what={`tenant ${id}`} />;
  if (tenant.state === 'failed')
    return (
      <>
        {crumbs}
        <h1>Tenant {id}</h1>
        <Failure error={tenant.error} />
      </>
    );
  const t = tenant.data;
  return (
    <>
      {crumbs}
      <h1>Tenant {t.name}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{t.id}</code>
        </dd>
        <dt>Name</dt>
        <dd>{t.name}</dd>
        {t.description && (
          <>
            <dt>Description</dt>
            <dd>{t.description}</dd>
          </>
        )}
        <dt>Regions with overrides</dt>
        <dd>{Object.keys(t.quotas ?? {}).join(', ') || 'none: every region’s own quotas bind it'}</dd>
      </dl>
      <p>
        <Link href={hrefOf({ page: 'access-keys' })}>Access keys</Link> of every tenant.
      </p>
      {quotas.state === 'loading' && <Loading what="quotas" />}
      {quotas.state === 'failed' && <Failure error={quotas.error} />}
      {quotas.state === 'done' &&
        quotas.data.items.map((r) => (
          <RegionQuotaForm key={r.regionId} api={api} tenantId={id} region={r} saved={reload} />
        ))}
    </>
  );
}

function RegionQuotaForm({
  api,
  tenantId,
  region,
  saved,
}: {
  api: Client;
  tenantId: string;
  region: RegionQuotas;
  saved: () => void;
}) {
  // The inputs as typed; a quota left as it is, is not sent (the PUT merges what it gets).
  const [draft, setDraft] = useState<Map<QuotaName, string>>(new Map());
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const path = `/v1/tenants/${seg(tenantId)}/quotas/${seg(region.regionId)}`;
  const prefix = `quota-${region.regionId}`;
  const valueOf = (name: QuotaName, limit: number) => draft.get(name) ?? String(limit);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNotice('');
    const changed = region.quotas.filter((q) => valueOf(q.name, q.limit) !== String(q.limit));
    if (changed.length === 0) return setNotice('Nothing changed.');
    // A number as typed; anything else is sent as it is, for the API to name at its field.
    const body = Object.fromEntries(
      changed.map((q) => {
        const text = valueOf(q.name, q.limit).trim();
        return [q.name, /^-?\d+$/.test(text) ? Number(text) : text];
      }),
    );
    try {
      await api.put(path, body);
      setDraft(new Map());
      setNotice(`Saved ${changed.length} override(s) in ${region.regionId}.`);
      saved();
    } catch (err) {
      setError(asError(err));
    }
  };
  const reset = async () => {
    setError(null);
    try {
      await api.delete(path);
      setDraft(new Map());
      setNotice(`The ${region.regionId} region's own quotas bind ${tenantId} again.`);
      saved();
    } catch (err) {
      setError(asError(err));
    }
  };
  const formError = unplaced(
    error,
    region.quotas.map((q) => q.name),
  );
  const overridden = region.quotas.some((q) => q.overridden);
  const titleId = `${prefix}-title`;
  return (
    <form className="panel" aria-labelledby={titleId} onSubmit={(e) => void save(e)} noValidate>
      <h2 id={titleId}>Quotas in {region.regionId}</h2>
      <ul className="quota-list" aria-label={`Usage in ${region.regionId}`}>
        {region.quotas
          .filter((q) => q.used !== undefined)
          .map((q) => (
            <li key={q.name}>
              <QuotaMeter
                id={`${prefix}-${q.name}-usage`}
                label={`${QUOTA_LABELS.get(q.name) ?? q.name} in ${region.regionId}`}
                used={q.used ?? 0}
                limit={q.limit}
              />
            </li>
          ))}
      </ul>
      <Alert>{formError}</Alert>
      {notice && (
        <p role="status" className="muted">
          {notice}
        </p>
      )}
      <div className="form-grid">
        {region.quotas.map((q) => (
          <Field
            key={q.name}
            id={`${prefix}-${q.name}`}
            label={`${QUOTA_LABELS.get(q.name) ?? q.name} (${q.name})`}
            field={q.name}
            error={error}
            hint={q.overridden ? "This tenant's override" : "The region's figure; 0: no limit"}
          >
            <input
              type="number"
              step={1}
              value={valueOf(q.name, q.limit)}
              onChange={(e) => setDraft(new Map(draft).set(q.name, e.target.value))}
            />
          </Field>
        ))}
      </div>
      <p className="actions-bar">
        <button type="submit">Save overrides in {region.regionId}</button>
        <button type="button" className="secondary" disabled={!overridden} onClick={() => void reset()}>
          Reset to the region’s quotas
        </button>
      </p>
    </form>
  );
}
