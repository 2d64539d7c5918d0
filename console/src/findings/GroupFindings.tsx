// The group page's findings section: this group's exposure, rule and unused-rule findings with
// the same one-click fixes as the findings page. It follows changes in the group's region (a
// member joining elsewhere changes what its rules decide).
import { useMemo } from 'react';
import '../analysis/analysis.css';
import { inRegion, useChanges } from '../live/Live';
import type { GroupSectionProps } from '../pages/group-section';
import { Failure, Loading } from '../pages/Status';
import { useLoad } from '../useLoad';
import { FindingsView } from './FindingsView';
import { groupFindings } from './load';
import { DEFAULT_DAYS } from './model';

export function GroupFindings({ api, group, reload }: GroupSectionProps) {
  const changes = useChanges(inRegion(group.regionId));
  // Read again on a change in the region, and when the page read the group again (its rules).
  const refresh = useMemo(() => ({ changes, group }), [changes, group]);
  const findings = useLoad(() => groupFindings(api, group, DEFAULT_DAYS), [api, group.id], refresh);
  const fixed = () => {
    reload();
    if (findings.state !== 'loading') findings.reload();
  };
  return (
    <section aria-labelledby="group-findings-title">
      <h2 id="group-findings-title">Findings</h2>
      {findings.state === 'loading' && <Loading what="findings" />}
      {findings.state === 'failed' && <Failure error={findings.error} />}
      {findings.state === 'done' && (
        <FindingsView
          api={api}
          findings={findings.data}
          days={DEFAULT_DAYS}
          level={3}
          idPrefix="group-findings"
          onFixed={fixed}
        />
      )}
    </section>
  );
}
