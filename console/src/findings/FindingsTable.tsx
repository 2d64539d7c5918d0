// A table of findings: severity, what, the group and rule it names (links to the rule's row on
// the group page), where it holds, and the suggested fix with its button.
import type { Client } from '../api';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { VirtualTable } from '../VirtualTable';
import { FixButton, ruleText } from './Fixes';
import type { FindingRow } from './model';

const ruleHref = (groupId: string, ruleId: string) =>
  `${hrefOf({ page: 'group', id: groupId })}#rule-${ruleId}`;

const COLUMNS = [
  { title: 'Severity' },
  { title: 'Finding' },
  { title: 'Group' },
  { title: 'Rule' },
  { title: 'Where' },
  { title: 'Suggested fix' },
];

export function FindingsTable({
  caption,
  empty,
  rows,
  api,
  onFixed,
}: {
  caption: string;
  empty: string;
  rows: readonly FindingRow[];
  api: Client;
  onFixed: () => void;
}) {
  if (rows.length === 0) return <p>{empty}</p>;
  return (
    <VirtualTable
      className="findings"
      caption={caption}
      columns={COLUMNS}
      rows={rows}
      rowKey={(r) => r.key}
      cells={(r) => (
        <>
          <td>
            <span className={`severity ${r.severity}`}>{r.severity}</span>
          </td>
          <th scope="row">{r.what}</th>
          <td>
            {r.group ? <Link href={hrefOf({ page: 'group', id: r.group.id })}>{r.group.name}</Link> : '—'}
          </td>
          <td>
            {r.rule && r.group ? <Link href={ruleHref(r.group.id, r.rule.id)}>{ruleText(r.rule)}</Link> : '—'}
            {r.by.length > 0 && (
              <div className="muted">
                by{' '}
                {r.by.map((b, i) => (
                  <span key={b.ruleId}>
                    {i > 0 && ', '}
                    {b.groupId && !b.text ? (
                      <Link href={ruleHref(b.groupId, b.ruleId)}>rule {b.ruleId}</Link>
                    ) : b.text ? (
                      `${b.text} of ${b.groupId ?? ''}`
                    ) : (
                      `rule ${b.ruleId}`
                    )}
                  </span>
                ))}
              </div>
            )}
          </td>
          <td>{r.detail}</td>
          <td className="actions">
            <span>{r.fixText}</span>
            {r.fix && (
              <div>
                <FixButton api={api} fix={r.fix} onFixed={onFixed} />
              </div>
            )}
          </td>
        </>
      )}
    />
  );
}
