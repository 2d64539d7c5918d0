// What a page shows while it loads, and when the API refused.
import { ApiError } from '../api';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="loading">
      Loading {what}…
    </p>
  );
}

export function Failure({ error }: { error: Error }) {
  return (
    <p role="alert" className="error">
      {error instanceof ApiError ? `${error.status} ${error.code}: ${error.message}` : error.message}
    </p>
  );
}
