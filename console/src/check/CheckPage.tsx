// Check traffic: would a first packet from one endpoint to another pass, and why. The form's
// state is the page's query string, so a check is a link (and the back button steps through
// checks); the answer follows changes in the region.
import { type FormEvent, useState } from 'react';
import '../analysis/analysis.css';
import type { Client } from '../api';
import { type PortChoice, regionPorts } from '../analysis/ports';
import { RegionPicker } from '../analysis/RegionPicker';
import { protocolName } from '../analysis/services';
import { Field, unplaced } from '../Field';
import { inRegion, useChanges } from '../live/Live';
import { Alert, Failure, Loading } from '../pages/Status';
import { hrefOf, navigate, useQuery, withQuery } from '../router';
import { useLoad } from '../useLoad';
import { type CheckForm, checkFlow, FORM_KEYS, formOf, hasPorts, isIcmp } from './flow';
import { Side } from './Side';

const PROTOCOLS = ['tcp', 'udp', 'sctp', 'icmp', 'icmpv6', 'gre'];
const PLACED = ['from', 'to', 'protocol', 'dstPort', 'srcPort', 'icmpType', 'icmpCode', 'ethertype'];

export function CheckPage({ api }: { api: Client }) {
  const search = useQuery();
  const asked = formOf(search);
  const regions = useLoad(() => api.regions(), [api]);
  if (regions.state === 'loading') return <Loading what="regions" />;
  if (regions.state === 'failed') return <Failure error={regions.error} />;
  const list = regions.data.items;
  const region = asked.region || list[0]?.id || '';
  return (
    <>
      <h1>Check traffic</h1>
      {list.length === 0 ? (
        <p>There is no region yet.</p>
      ) : (
        <Check key={search.toString()} api={api} asked={{ ...asked, region }} regions={list} />
      )}
    </>
  );
}

function Check({
  api,
  asked,
  regions,
}: {
  api: Client;
  asked: CheckForm;
  regions: { id: string; profile: string; name?: string }[];
}) {
  const [draft, setDraft] = useState<CheckForm>(asked);
  const changes = useChanges(inRegion(asked.region));
  const ports = useLoad(() => regionPorts(api, draft.region), [api, draft.region]);
  const ready = asked.from !== '' && asked.to !== '';
  const answer = useLoad(
    () => (ready ? checkFlow(api, asked) : Promise.resolve(null)),
    [api, ...FORM_KEYS.map((k) => asked[k])],
    changes,
  );
  const set = (key: keyof CheckForm) => (value: string) => setDraft({ ...draft, [key]: value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = Object.fromEntries(FORM_KEYS.map((k) => [k, draft[k].trim()]));
    navigate(withQuery(hrefOf({ page: 'check' }), params), { replace: true });
  };
  const error = answer.state === 'failed' ? answer.error : null;
  const choices = ports.state === 'done' ? ports.data : [];
  const named = PROTOCOLS.includes(draft.protocol);
  return (
    <>
      <form className="check-form" onSubmit={submit} aria-label="Packet to check">
        <RegionPicker
          id="check-region"
          regions={regions}
          value={draft.region}
          onChange={(region) => setDraft({ ...draft, region, from: '', to: '' })}
        />
        <Field
          id="check-from"
          label="From"
          field="from"
          hint="One of your ports, or an IP address"
          error={error}
        >
          <input
            list="check-ports"
            value={draft.from}
            required
            onChange={(e) => set('from')(e.target.value)}
          />
        </Field>
        <Field id="check-to" label="To" field="to" hint="One of your ports, or an IP address" error={error}>
          <input list="check-ports" value={draft.to} required onChange={(e) => set('to')(e.target.value)} />
        </Field>
        <PortList ports={choices} />
        <Field id="check-protocol" label="Protocol" field="protocol" error={error}>
          <select
            value={named ? draft.protocol : 'number'}
            onChange={(e) => set('protocol')(e.target.value === 'number' ? '0' : e.target.value)}
          >
            {PROTOCOLS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            <option value="number">by number</option>
          </select>
        </Field>
        {!named && (
          <Field id="check-protocol-number" label="Protocol number" hint="0-255" error={error}>
            <input
              inputMode="numeric"
              value={draft.protocol}
              onChange={(e) => set('protocol')(e.target.value)}
            />
          </Field>
        )}
        {hasPorts(draft.protocol) && (
          <>
            <Field id="check-port" label="Destination port" field="dstPort" error={error}>
              <input inputMode="numeric" value={draft.port} onChange={(e) => set('port')(e.target.value)} />
            </Field>
            <Field id="check-src-port" label="Source port" field="srcPort" hint="Optional" error={error}>
              <input
                inputMode="numeric"
                value={draft.srcPort}
                onChange={(e) => set('srcPort')(e.target.value)}
              />
            </Field>
          </>
        )}
        {isIcmp(draft.protocol) && (
          <>
            <Field id="check-icmp-type" label="ICMP type" field="icmpType" error={error}>
              <input
                inputMode="numeric"
                value={draft.icmpType}
                onChange={(e) => set('icmpType')(e.target.value)}
              />
            </Field>
            <Field id="check-icmp-code" label="ICMP code" field="icmpCode" error={error}>
              <input
                inputMode="numeric"
                value={draft.icmpCode}
                onChange={(e) => set('icmpCode')(e.target.value)}
              />
            </Field>
          </>
        )}
        <Field
          id="check-ethertype"
          label="Family"
          field="ethertype"
          hint="Automatic: from the addresses"
          error={error}
        >
          <select value={draft.ethertype} onChange={(e) => set('ethertype')(e.target.value)}>
            <option value="">automatic</option>
            <option value="IPv4">IPv4</option>
            <option value="IPv6">IPv6</option>
          </select>
        </Field>
        <button type="submit">Check</button>
      </form>
      {answer.state === 'loading' && <Loading what="the verdict" />}
      <Alert>{error && unplaced(error, PLACED)}</Alert>
      {answer.state === 'done' && answer.data && (
        <>
          <p className="verdict" role="status">
            Verdict: <span className={`action ${answer.data.verdict}`}>{answer.data.verdict}</span>{' '}
            <span className="muted">
              ({answer.data.packet.src} → {answer.data.packet.dst},{' '}
              {protocolName(answer.data.packet.protocol)}
              {answer.data.packet.dstPort !== undefined ? `, port ${answer.data.packet.dstPort}` : ''}; a
              first packet passes when both sides allow it)
            </span>
          </p>
          <Side
            api={api}
            direction="egress"
            side={answer.data.egress}
            endpoint={asked.from}
            refresh={changes}
          />
          <Side
            api={api}
            direction="ingress"
            side={answer.data.ingress}
            endpoint={asked.to}
            refresh={changes}
          />
        </>
      )}
    </>
  );
}

/** The pickers' choices: each port by id, labelled with its instance and address. */
function PortList({ ports }: { ports: readonly PortChoice[] }) {
  return (
    <datalist id="check-ports">
      {ports.map((p) => (
        <option key={p.id} value={p.id} label={p.label} />
      ))}
    </datalist>
  );
}
