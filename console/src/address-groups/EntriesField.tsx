// The bulk editor of an address group's entries: a textarea of one address or CIDR per line,
// with the API's messages about the entries under it, each naming the line it is about and the
// field the API named (body.entries[3]).
import type { ChangeEvent } from 'react';
import { entryProblems } from './model';

export function EntriesField({
  id,
  value,
  onChange,
  error,
  lineOf,
  rows = 8,
}: {
  id: string;
  value: string;
  onChange: (text: string) => void;
  error: Error | null;
  lineOf: readonly number[];
  rows?: number;
}) {
  const problems = entryProblems(error, 'entries', lineOf);
  const errorId = `${id}-error`;
  return (
    <div className={problems.length ? 'field invalid' : 'field'}>
      <label htmlFor={id}>Entries</label>
      <textarea
        id={id}
        rows={rows}
        spellCheck={false}
        value={value}
        aria-invalid={problems.length ? true : undefined}
        aria-describedby={problems.length ? `${errorId} ${id}-hint` : `${id}-hint`}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
      />
      <small id={`${id}-hint`}>One address or CIDR per line; blank lines and repeats are dropped.</small>
      {problems.length > 0 && (
        <ul id={errorId} className="field-error">
          {problems.map((p, i) => (
            <li key={i}>
              {p.line !== undefined ? `Line ${p.line} (${p.path}): ` : `${p.path}: `}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
