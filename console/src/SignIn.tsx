// Sign in with an access key: POST /v1/tokens exchanges it for a bearer token.
import { type FormEvent, useState } from 'react';
import { ApiError, type Session, signIn } from './api';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [keyId, setKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(keyId.trim(), secret));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Palisade console</h1>
      <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <p>Sign in with an access key (a tenant&apos;s or the operator&apos;s).</p>
        <label htmlFor="key-id">Access key id</label>
        <input
          id="key-id"
          name="accessKeyId"
          autoComplete="username"
          required
          value={keyId}
          onChange={(e) => setKeyId(e.target.value)}
        />
        <label htmlFor="key-secret">Access key secret</label>
        <input
          id="key-secret"
          name="accessKeySecret"
          type="password"
          autoComplete="current-password"
          required
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
        />
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
