// What a page shows while it loads, and when the API refused.
import type { ReactNode } from 'react';
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
      {problemText(error)}
    </p>
  );
}

/** A form's message about a refused or incomplete action (nothing when there is none). */
export function Alert({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="error">
      {children}
    </p>
  );
}

/** An error as the console shows it: the API's status, code and message, or the error's own message. */
export const problemText = (error: Error): string =>
  error instanceof ApiError ? `${error.status} ${error.code}: ${error.message}` : error.message;
