// Findings of a region: the exposure lint, the findings about each group's rules on its ports,
// and rules no packet hit for some days, each with its fix one click away. The region and the
// days are the query string's; the page follows changes in the region.
import { type FormEvent, useState } from 'react';
import '../analysis/analysis.css';
import type { Client } from '../api';
import { RegionPicker } from '../analysis/RegionPicker';
import { inRegion, useChanges } from '../live/Live';
import { Failure, Loading } from '../pages/Status';
import { hrefOf, navigate, useQuery, withQuery } from '../router';
import { useLoad } from '../useLoad';
import { FindingsView } from './FindingsView';
import { regionFindings } from './load';
import { DEFAULT_DAYS } from './model';

export function FindingsPage({ api }: { api: Client }) {
  const search = useQuery();
  const regions = useLoad(() => api.regions(), [api]);
  if (regions.state === 'loading') return <Loading what="regions" />;
  if (regions.state === 'failed') return <Failure error={regions.error} />;
  const list = regions.data.items;
  const region = search.get('region') || list[0]?.id || '';
  const days = daysOf(search.get('days'));
  return (
    <>
      <h1>Findings</h1>
      {list.length === 0 ? (
        <p>There is no region yet.</p>
      ) : (
        <RegionFindings key={`${region}/${days}`} api={api} regions={list} region={region} days={days} />
      )}
    </>
  );
}

const daysOf = (text: string | null) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 90 ? n : DEFAULT_DAYS;
};

function RegionFindings({
  api,
  regions,
  region,
  days,
}: {
  api: Client;
  regions: { id: string; profile: string; name?: string }[];
  region: string;
  days: number;
}) {
  const [draft, setDraft] = useState({ region, days: String(days) });
  const changes = useChanges(inRegion(region));
  const findings = useLoad(() => regionFindings(api, region, days), [api, region, days], changes);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery(hrefOf({ page: 'findings' }), draft), { replace: true });
  };
  return (
    <>
      <form className="picture-filters" onSubmit={submit} aria-label="Findings to show">
        <RegionPicker
          id="findings-region"
          regions={regions}
          value={draft.region}
          onChange={(r) => setDraft({ ...draft, region: r })}
        />
        <div className="field">
          <label htmlFor="findings-days">Unused for days</label>
          <input
            id="findings-days"
            type="number"
            min={1}
            max={90}
            value={draft.days}
            onChange={(e) => setDraft({ ...draft, days: e.target.value })}
          />
        </div>
        <button type="submit">Show</button>
      </form>
      {findings.state === 'loading' && <Loading what="findings" />}
      {findings.state === 'failed' && <Failure error={findings.error} />}
      {findings.state === 'done' && (
        <>
          <p className="muted">
            Your {findings.data.groups} groups in {region}.
          </p>
          <FindingsView
            api={api}
            findings={findings.data}
            days={days}
            level={2}
            idPrefix="findings"
            onFixed={findings.reload}
          />
        </>
      )}
    </>
  );
}
