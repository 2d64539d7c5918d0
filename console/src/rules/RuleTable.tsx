// A group's rules of one direction in the region profile's evaluation order, virtualized when
// long. Shared by the group page (with its edit actions) and the traffic check (with the deciding
// rule and the other matches highlighted).
import { memo, type ReactNode } from 'react';
import type { Rule } from '../api';
import { portsText, remoteOf } from '../format';
import { Link } from '../Link';
import { hrefOf } from '../router';
import { VirtualTable } from '../VirtualTable';

/** How a rule takes part in a checked flow. */
export type Mark = 'deciding' | 'matched';

export interface RuleTableProps {
  title: string;
  /** The id prefix of the section's heading. */
  id: string;
  rules: readonly Rule[];
  direction: 'ingress' | 'egress';
  marks?: ReadonlyMap<string, Mark>;
  /** The rule to bring into view. */
  scrollTo?: string;
  /** A last column of buttons for each rule (edit, delete). */
  actions?: (rule: Rule) => ReactNode;
  /** Above the table: the add form, fast-add. */
  children?: ReactNode;
  /** The rule whose row shows `editor` in place of its cells. */
  editing?: string | null;
  editor?: (rule: Rule) => ReactNode;
}

const MARK_TEXT: Record<Mark, string> = { deciding: 'deciding rule', matched: 'also matched' };

/**
 * Memoized: a page's state that does not concern the table (a form being typed in, a preview
 * open) re-renders no row; pass stable `actions` and `editor` (useCallback).
 */
export const RuleTable = memo(function RuleTable({
  title,
  id,
  rules,
  direction,
  marks,
  scrollTo,
  actions,
  children,
  editing,
  editor,
}: RuleTableProps) {
  const remoteLabel = direction === 'ingress' ? 'Source' : 'Destination';
  const columns = [
    { title: 'Position', className: 'number' },
    { title: 'Priority', className: 'number' },
    { title: 'Action' },
    { title: 'Protocol' },
    { title: 'Ports' },
    { title: remoteLabel },
    { title: 'Description' },
    ...(actions ? [{ title: 'Actions' }] : []),
  ];
  return (
    <section aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        {title} <span className="count">({rules.length})</span>
      </h2>
      {children}
      {rules.length === 0 ? (
        <p>No {title.toLowerCase()}.</p>
      ) : (
        <VirtualTable
          className="rules"
          caption={`${title} in the evaluation order of the region's profile`}
          columns={columns}
          rows={rules}
          rowKey={(r) => r.id}
          scrollTo={scrollTo}
          rowProps={(r) => {
            const mark = marks?.get(r.id);
            return { id: `rule-${r.id}`, className: mark ? `mark-${mark}` : undefined };
          }}
          cells={(r) => {
            if (editor && editing === r.id)
              return (
                <td colSpan={columns.length} className="editing">
                  {editor(r)}
                </td>
              );
            const remote = remoteOf(r);
            const mark = marks?.get(r.id);
            return (
              <>
                <td className="number">
                  {r.position}
                  {mark && <span className={`mark ${mark}`}> {MARK_TEXT[mark]}</span>}
                </td>
                <td className="number">{r.priority}</td>
                <td>
                  <span className={`action ${r.action}`}>{r.action}</span>
                </td>
                <td>
                  {r.protocol} <span className="muted">{r.ethertype}</span>
                </td>
                <td>{portsText(r)}</td>
                <td>
                  {remote.kind === 'group' ? (
                    <Link href={hrefOf({ page: 'group', id: remote.text })}>group {remote.text}</Link>
                  ) : remote.kind === 'addressGroup' ? (
                    <Link href={hrefOf({ page: 'address-group', id: remote.text })}>
                      address group {remote.text}
                    </Link>
                  ) : (
                    remote.text
                  )}
                </td>
                <td>{r.description ?? ''}</td>
                {actions && <td className="actions">{actions(r)}</td>}
              </>
            );
          }}
        />
      )}
    </section>
  );
});
