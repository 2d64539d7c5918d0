// The fields of one rule (add and edit share them), fitted to the region's traits: action only
// where deny exists, priority only where rules have one (with its range), the remotes the group
// type may name, ports only for tcp/udp/sctp and ICMP type/code only for ICMP. Each field shows
// the API's own messages about it after a refused preview or save.
import type { ChangeEvent } from 'react';
import { Field } from '../Field';
import { type Draft, ICMP, PORTED } from './draft';
import type { RemoteKind, RuleFormTraits } from './traits';

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'all', 'sctp', 'gre'];
const REMOTE_LABEL: Record<RemoteKind, string> = {
  cidr: 'CIDR',
  group: 'Security group',
  addressGroup: 'Address group',
};

export interface RuleFieldsProps {
  /** The id prefix of the controls (unique on the page). */
  id: string;
  draft: Draft;
  onChange: (draft: Draft) => void;
  traits: RuleFormTraits;
  error: Error | null;
}

export function RuleFields({ id, draft, onChange, traits, error }: RuleFieldsProps) {
  const set =
    <K extends keyof Draft>(key: K) =>
    (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
      onChange({ ...draft, [key]: e.target.value as Draft[K] });
  const far = draft.direction === 'ingress' ? 'Source' : 'Destination';
  const protocols = PROTOCOLS.includes(draft.protocol) ? PROTOCOLS : [...PROTOCOLS, draft.protocol];
  const { priority } = traits.region;
  return (
    <div className="rule-fields">
      <Field id={`${id}-ethertype`} label="Family" field="ethertype" error={error}>
        <select value={draft.ethertype} onChange={set('ethertype')}>
          <option value="IPv4">IPv4</option>
          <option value="IPv6">IPv6</option>
        </select>
      </Field>
      <Field id={`${id}-protocol`} label="Protocol" field="protocol" error={error}>
        <select value={draft.protocol} onChange={set('protocol')}>
          {protocols.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </Field>
      {PORTED.has(draft.protocol) && (
        <Field
          id={`${id}-ports`}
          label="Ports"
          field="ports"
          hint={`Empty: all. 22, 8000-8080, or several: 22,25,27${traits.region.multiPortRules ? '' : " (one rule here; the cloud's own API lists one per range)"}`}
          error={error}
        >
          <input value={draft.ports} onChange={set('ports')} autoComplete="off" />
        </Field>
      )}
      {ICMP.has(draft.protocol) && (
        <>
          <Field
            id={`${id}-icmp-type`}
            label="ICMP type"
            field="icmpType"
            hint="Empty: all types"
            error={error}
          >
            <input value={draft.icmpType} onChange={set('icmpType')} inputMode="numeric" autoComplete="off" />
          </Field>
          <Field
            id={`${id}-icmp-code`}
            label="ICMP code"
            field="icmpCode"
            hint="Empty: all codes"
            error={error}
          >
            <input value={draft.icmpCode} onChange={set('icmpCode')} inputMode="numeric" autoComplete="off" />
          </Field>
        </>
      )}
      <Field id={`${id}-remote-kind`} label={`${far} kind`} error={error}>
        <select value={draft.remoteKind} onChange={set('remoteKind')}>
          {traits.group.remoteKinds.map((k) => (
            <option key={k} value={k}>
              {REMOTE_LABEL[k]}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id={`${id}-remote`}
        label={far}
        // The API names a remote's problems body.remote.cidr, body.remote.groupId, ...
        field="remote"
        hint={
          draft.remoteKind === 'cidr'
            ? 'Empty: any address'
            : `The ${REMOTE_LABEL[draft.remoteKind].toLowerCase()}'s id`
        }
        error={error}
      >
        <input value={draft.remote} onChange={set('remote')} autoComplete="off" />
      </Field>
      {traits.group.denyRules && (
        <Field id={`${id}-action`} label="Action" field="action" error={error}>
          <select value={draft.action} onChange={set('action')}>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
          </select>
        </Field>
      )}
      {traits.group.priorities && (
        <Field
          id={`${id}-priority`}
          label="Priority"
          field="priority"
          hint={`${priority.min} (first) to ${priority.max}`}
          error={error}
        >
          <input value={draft.priority} onChange={set('priority')} inputMode="numeric" autoComplete="off" />
        </Field>
      )}
      <Field id={`${id}-description`} label="Description" field="description" error={error}>
        <input value={draft.description} onChange={set('description')} autoComplete="off" />
      </Field>
    </div>
  );
}
