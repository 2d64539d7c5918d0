// A labelled form control with its hint and, after a refused save, the API's own messages about
// that field (ApiError.about), tied to the control with aria-invalid and aria-describedby.
import { type ReactElement, cloneElement } from 'react';
import { ApiError } from './api';

export interface FieldProps {
  /** The control's id (the label's htmlFor). */
  id: string;
  label: string;
  /** The body field the API names in its problems ("ports", "remoteIpPrefix"). */
  field?: string;
  hint?: string;
  error?: Error | null;
  children: ReactElement<{ id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }>;
}

export function Field({ id, label, field, hint, error, children }: FieldProps) {
  const problems = field && error instanceof ApiError ? error.about(field) : [];
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = problems.length ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={problems.length ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, {
        id,
        'aria-invalid': problems.length ? true : undefined,
        'aria-describedby': describedBy,
      })}
      {hint && <small id={hintId}>{hint}</small>}
      {errorId && (
        <small id={errorId} className="field-error">
          {problems.map((p) => p.message).join('; ')}
        </small>
      )}
    </div>
  );
}

/** A refused save's problems that no field of the form shows, for the form's alert. */
export function unplaced(error: Error | null, fields: readonly string[]): string | null {
  if (!error) return null;
  if (!(error instanceof ApiError)) return error.message;
  const placed = (path: string) =>
    fields.some(
      (f) => path === `body.${f}` || path.startsWith(`body.${f}.`) || path.startsWith(`body.${f}[`),
    );
  const rest = error.problems.filter((p) => !placed(p.path));
  if (error.problems.length && rest.length === 0)
    return `${error.status} ${error.code}: see the fields marked below`;
  return `${error.status} ${error.code}: ${rest.length ? rest.map((p) => p.message).join('; ') : error.message}`;
}
