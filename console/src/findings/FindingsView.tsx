// The three tables of findings (exposure, rules, unused rules), shared by the region's findings
// page and the group page's section.
import type { Client } from '../api';
import type { Findings } from './load';
import { FindingsTable } from './FindingsTable';

export function FindingsView({
  api,
  findings,
  days,
  level,
  idPrefix,
  onFixed,
}: {
  api: Client;
  findings: Findings;
  days: number;
  /** The headings' level: 2 on the findings page, 3 in the group page's section. */
  level: 2 | 3;
  idPrefix: string;
  onFixed: () => void;
}) {
  const H = level === 2 ? 'h2' : 'h3';
  return (
    <>
      <section aria-labelledby={`${idPrefix}-exposure`}>
        <H id={`${idPrefix}-exposure`}>
          Exposure <span className="count">({findings.exposure.length})</span>
        </H>
        <FindingsTable
          caption="Exposure findings, the most severe first"
          empty="No exposure finding."
          rows={findings.exposure}
          api={api}
          onFixed={onFixed}
        />
      </section>
      <section aria-labelledby={`${idPrefix}-rules`}>
        <H id={`${idPrefix}-rules`}>
          Shadowed, redundant and conflicting rules <span className="count">({findings.rules.length})</span>
        </H>
        <FindingsTable
          caption="Rule findings on the ports holding each group"
          empty="No rule is shadowed, redundant, conflicting or empty."
          rows={findings.rules}
          api={api}
          onFixed={onFixed}
        />
      </section>
      <section aria-labelledby={`${idPrefix}-unused`}>
        <H id={`${idPrefix}-unused`}>
          Unused rules <span className="count">({findings.unused.length})</span>
        </H>
        <FindingsTable
          caption={`Rules no packet hit in the last ${days} days`}
          empty={`No measured rule went unused for ${days} days.`}
          rows={findings.unused}
          api={api}
          onFixed={onFixed}
        />
        {findings.notMeasured > 0 && (
          <p className="muted">
            {findings.notMeasured} rules are not measured: no port holding them is on a host whose agent
            counts hits.
          </p>
        )}
      </section>
    </>
  );
}
