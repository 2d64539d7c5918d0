// Access keys (operator): every key with its tenant, a form creating one for a tenant (the secret
// is in the create's answer only: shown once, with the warning that it cannot be shown again),
// and delete after a confirmation (a signed-in console using the key keeps its token until it
// expires; new requests signed with the key are refused).
import { type FormEvent, useState } from 'react';
import { asError, type Client, seg } from '../api';
import { Field, unplaced } from '../Field';
import { useChanges } from '../live/Live';
import { Link } from '../Link';
import { Alert, Failure, Loading } from '../pages/Status';
import { hrefOf } from '../router';
import { useLoad } from '../useLoad';
import '../groups/groups.css';

/** The choice's values: "" (none yet), OPERATOR, or TENANT and a tenant's id. */
const OPERATOR = 'operator';
const TENANT = 'tenant:';

interface AccessKey {
  id: string;
  tenantId: string | null;
  role: 'admin' | 'tenant';
  description: string | null;
  createdAt: string;
}

interface CreatedKey extends AccessKey {
  secret?: string;
}

export function AccessKeysPage({ api }: { api: Client }) {
  const changes = useChanges();
  const keys = useLoad(() => api.get<{ items: AccessKey[] }>('/v1/access-keys'), [api], changes);
  const tenants = useLoad(() => api.tenants(), [api], changes);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<Error | null>(null);
  const reload = () => keys.state !== 'loading' && keys.reload();

  const remove = async (id: string) => {
    setDeleteError(null);
    try {
      await api.delete(`/v1/access-keys/${seg(id)}`);
      setConfirming(null);
      reload();
    } catch (err) {
      setDeleteError(asError(err));
    }
  };

  return (
    <>
      <h1>Access keys</h1>
      {created && <SecretOnce created={created} dismiss={() => setCreated(null)} />}
      <CreateKey
        api={api}
        tenantIds={tenants.state === 'done' ? tenants.data.items.map((t) => t.id) : []}
        created={(key) => {
          setCreated(key);
          reload();
        }}
      />
      {keys.state === 'loading' && <Loading what="access keys" />}
      {keys.state === 'failed' && <Failure error={keys.error} />}
      <Alert>{deleteError?.message}</Alert>
      {keys.state === 'done' && (
        <table>
          <caption>{keys.data.items.length ? 'Access keys' : 'No access keys'}</caption>
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Tenant</th>
              <th scope="col">Role</th>
              <th scope="col">Description</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.items.map((k) => (
              <tr key={k.id}>
                <th scope="row">
                  <code>{k.id}</code>
                </th>
                <td>
                  {k.tenantId ? (
                    <Link href={hrefOf({ page: 'tenant', id: k.tenantId })}>{k.tenantId}</Link>
                  ) : (
                    'operator'
                  )}
                </td>
                <td>{k.role}</td>
                <td>{k.description ?? ''}</td>
                <td>{k.createdAt}</td>
                <td>
                  {confirming === k.id ? (
                    <span className="actions-bar" role="group" aria-label={`Confirm deleting ${k.id}`}>
                      <button type="button" className="danger" onClick={() => void remove(k.id)}>
                        Delete {k.id} for good
                      </button>
                      <button type="button" className="secondary" onClick={() => setConfirming(null)}>
                        Keep it
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="secondary" onClick={() => setConfirming(k.id)}>
                      Delete {k.id}…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CreateKey({
  api,
  tenantIds,
  created,
}: {
  api: Client;
  tenantIds: string[];
  created: (key: CreatedKey) => void;
}) {
  const [choice, setChoice] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      // An operator key only when chosen as such; no choice at all is the API's to refuse (at the field).
      const key = await api.post<CreatedKey>('/v1/access-keys', {
        ...(choice === OPERATOR
          ? { role: 'admin' }
          : choice.startsWith(TENANT)
            ? { tenantId: choice.slice(TENANT.length) }
            : { role: 'tenant' }),
        ...(description ? { description } : {}),
      });
      setDescription('');
      created(key);
    } catch (err) {
      setError(asError(err));
    }
  };
  const formError = unplaced(error, ['tenantId', 'description']);
  return (
    <form className="panel" aria-labelledby="new-key-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="new-key-title">New access key</h2>
      <Alert>{formError}</Alert>
      <div className="form-grid">
        <Field id="new-key-tenant" label="For tenant" field="tenantId" error={error}>
          <select value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">Choose a tenant</option>
            <option value={OPERATOR}>None: an operator key (sees every tenant)</option>
            {tenantIds.map((id) => (
              <option key={id} value={`${TENANT}${id}`}>
                {id}
              </option>
            ))}
          </select>
        </Field>
        <Field id="new-key-description" label="Description" field="description" error={error}>
          <input value={description} onChange={(e) => setDescription(e.target.value)} autoComplete="off" />
        </Field>
      </div>
      <p>
        <button type="submit">Create access key</button>
      </p>
    </form>
  );
}

/** The new key's secret: in this answer only, so the page says so plainly. */
function SecretOnce({ created, dismiss }: { created: CreatedKey; dismiss: () => void }) {
  return (
    <section className="secret" role="alert" aria-labelledby="secret-title">
      <h2 id="secret-title">Save the secret of {created.id} now</h2>
      <p>
        <strong>It is shown this once.</strong> Palisade keeps it encrypted and never shows it again: if it is
        lost, delete the key and create another.
      </p>
      <dl className="facts">
        <dt>Access key id</dt>
        <dd>
          <code>{created.id}</code>
        </dd>
        <dt>Secret</dt>
        <dd>
          <code>{created.secret ?? '(not in this answer)'}</code>
        </dd>
        <dt>Tenant</dt>
        <dd>{created.tenantId ?? 'operator'}</dd>
      </dl>
      <p>
        <button type="button" onClick={dismiss}>
          I have saved the secret
        </button>
      </p>
    </section>
  );
}
