// The reachability picture of a region: the caller's groups (or ports) as nodes, an edge for
// each pair that allows something, labelled with what it allows; filterable by protocol, port
// and name. Choosing an edge (on the picture or in the table of the same edges) shows the rules
// that allow it; choosing a blocked pair shows why not. Region, view and filters are the query
// string's; the picture follows changes in the region.
import { type FormEvent, useState } from 'react';
import '../analysis/analysis.css';
import type { Client, Region } from '../api';
import { type PortChoice, regionPorts } from '../analysis/ports';
import { RegionPicker } from '../analysis/RegionPicker';
import { PROTOCOL_NUMBERS } from '../analysis/services';
import { inRegion, useChanges } from '../live/Live';
import { Failure, Loading } from '../pages/Status';
import { hrefOf, navigate, useQuery, withQuery } from '../router';
import { useLoad } from '../useLoad';
import { EdgeRules } from './EdgeRules';
import { GraphPicture } from './Graph';
import {
  type By,
  edgeKey,
  filtered,
  type Graph,
  graphOf,
  readReachability,
  type Reachability,
} from './model';
import { type Pair, WhyNot } from './WhyNot';

/** Beyond this many nodes the picture is not drawn: the table lists every edge. */
const MAX_DRAWN = 150;

interface View {
  region: string;
  by: By;
  protocol: string;
  port: string;
  name: string;
}

export function ReachabilityPage({ api }: { api: Client }) {
  const search = useQuery();
  const regions = useLoad(() => api.regions(), [api]);
  if (regions.state === 'loading') return <Loading what="regions" />;
  if (regions.state === 'failed') return <Failure error={regions.error} />;
  const list = regions.data.items;
  const view: View = {
    region: search.get('region') || list[0]?.id || '',
    by: search.get('by') === 'port' ? 'port' : 'group',
    protocol: search.get('protocol') ?? '',
    port: search.get('port') ?? '',
    name: search.get('name') ?? '',
  };
  return (
    <>
      <h1>Reachability</h1>
      {list.length === 0 ? (
        <p>There is no region yet.</p>
      ) : (
        <Picture key={`${view.region}/${view.by}`} api={api} regions={list} view={view} />
      )}
    </>
  );
}

function Picture({ api, regions, view }: { api: Client; regions: Region[]; view: View }) {
  const [draft, setDraft] = useState(view);
  const [selected, setSelected] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [pair, setPair] = useState<Pair | null>(null);
  const changes = useChanges(inRegion(view.region));
  const data = useLoad(
    async () => {
      const [answer, ports] = await Promise.all([
        readReachability<Reachability>(api, view.region, view.by),
        regionPorts(api, view.region),
      ]);
      return { answer, ports, graph: graphOf(answer, ports) };
    },
    [api, view.region, view.by],
    changes,
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(withQuery(hrefOf({ page: 'reachability' }), { ...draft }), { replace: true });
  };
  const filters = (
    <form className="picture-filters" onSubmit={submit} aria-label="What to draw">
      <RegionPicker
        id="reach-region"
        regions={regions}
        value={draft.region}
        onChange={(region) => setDraft({ ...draft, region })}
      />
      <div className="field">
        <label htmlFor="reach-by">Nodes</label>
        <select
          id="reach-by"
          value={draft.by}
          onChange={(e) => setDraft({ ...draft, by: e.target.value as By })}
        >
          <option value="group">groups</option>
          <option value="port">ports</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="reach-protocol">Allows protocol</label>
        <select
          id="reach-protocol"
          value={draft.protocol}
          onChange={(e) => setDraft({ ...draft, protocol: e.target.value })}
        >
          <option value="">any</option>
          {[...PROTOCOL_NUMBERS.keys()].map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="reach-port">Allows port</label>
        <input
          id="reach-port"
          inputMode="numeric"
          value={draft.port}
          onChange={(e) => setDraft({ ...draft, port: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="reach-name">Name contains</label>
        <input
          id="reach-name"
          type="search"
          value={draft.name}
          onChange={(e) => setDraft({ ...draft, name: e.target.value })}
        />
      </div>
      <button type="submit">Draw</button>
    </form>
  );
  if (data.state === 'loading')
    return (
      <>
        {filters}
        <Loading what="reachability" />
      </>
    );
  if (data.state === 'failed')
    return (
      <>
        {filters}
        <Failure error={data.error} />
      </>
    );
  const { answer, ports, graph: whole } = data.data;
  const port = /^\d+$/.test(view.port) ? Number(view.port) : undefined;
  const graph = filtered(whole, { protocol: PROTOCOL_NUMBERS.get(view.protocol), port, name: view.name });
  // Groups' names and ports' labels (a group edge's rules are listed per member pair).
  const names = new Map([
    ...ports.map((p) => [p.id, p.label] as const),
    ...whole.nodes.map((n) => [n.id, n.label] as const),
  ]);
  const edge = whole.edges.find((e) => e.key === selected) ?? null;
  const chooseNode = (id: string) => {
    if (chosen === null) return setChosen(id);
    setChosen(null);
    if (chosen === id) return;
    const key = edgeKey(chosen, id);
    if (whole.edges.some((e) => e.key === key)) return setSelected(key);
    setPair(portPair(view.by, chosen, id, ports));
  };
  const kind = view.by === 'group' ? 'groups' : 'ports';
  return (
    <>
      {filters}
      <p className="muted">
        {graph.nodes.length} {kind}, {graph.edges.length} allowed paths
        {answer.by === 'port' ? `; ${answer.blockedPairs} pairs of ports allow nothing` : ''}
        {answer.more ? `; ${answer.more} more pairs left out` : ''}.
      </p>
      <div className="picture">
        {graph.nodes.length <= MAX_DRAWN ? (
          <GraphPicture
            graph={graph}
            title={`Reachability between your ${kind} in ${view.region}`}
            selectedEdge={selected}
            chosenNode={chosen}
            onEdge={setSelected}
            onNode={chooseNode}
          />
        ) : (
          <p>
            {graph.nodes.length} {kind} are too many to draw: narrow the picture with the filters, or use the
            table.
          </p>
        )}
        <div>
          <p>
            Choose a path (an arrow) to see the rules that allow it. Choose two {kind} with no arrow between
            them to ask why not.
          </p>
          <p role="status">
            {chosen ? `Chosen: ${names.get(chosen) ?? chosen}; now choose the other end.` : ''}
          </p>
        </div>
      </div>
      <EdgeTable graph={graph} names={names} selected={selected} onSelect={setSelected} />
      {edge && (
        <EdgeRules
          api={api}
          regionId={view.region}
          answer={answer}
          edge={edge}
          names={names}
          refresh={changes}
        />
      )}
      <WhyNot api={api} regionId={view.region} ports={ports} pair={pair} refresh={changes} />
    </>
  );
}

/** The ports a why-not asks about for a pair of nodes: the nodes, or a member of each group. */
function portPair(by: By, from: string, to: string, ports: readonly PortChoice[]): Pair {
  if (by === 'port') return { from, to };
  const member = (groupId: string, not?: string) =>
    ports.find((p) => p.groupIds.includes(groupId) && p.id !== not)?.id ?? '';
  const source = member(from);
  return { from: source, to: member(to, source) };
}

function EdgeTable({
  graph,
  names,
  selected,
  onSelect,
}: {
  graph: Graph;
  names: ReadonlyMap<string, string>;
  selected: string | null;
  onSelect: (key: string) => void;
}) {
  if (graph.edges.length === 0) return <p>No allowed path matches.</p>;
  return (
    <table>
      <caption>Allowed paths (the picture's edges)</caption>
      <thead>
        <tr>
          <th scope="col">From</th>
          <th scope="col">To</th>
          <th scope="col">Allows</th>
          <th scope="col">Rules</th>
        </tr>
      </thead>
      <tbody>
        {graph.edges.map((e) => (
          <tr key={e.key} className={e.key === selected ? 'selected' : undefined}>
            <th scope="row">{names.get(e.from) ?? e.from}</th>
            <td>{names.get(e.to) ?? e.to}</td>
            <td>
              {e.label}
              {e.memberPairs && (
                <span className="muted">
                  {' '}
                  ({e.memberPairs.allowed} of {e.memberPairs.total} member pairs)
                </span>
              )}
            </td>
            <td>
              <button
                type="button"
                className="secondary"
                aria-pressed={e.key === selected}
                aria-label={`Show rules: ${names.get(e.from) ?? e.from} to ${names.get(e.to) ?? e.to}`}
                onClick={() => onSelect(e.key)}
              >
                Show rules
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
