// The group page's rules: both directions' tables in evaluation order with the add form and
// fast-add above each, edit in the rule's own row, delete; every change first opens its
// preview (packets, agents' connections, simulated connections) and is written on "Save" only.
// The form traits come from the region (GET /v1/regions/{id} traits), never a profile's name.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { type Rule, seg } from '../api';
import type { GroupSectionProps } from '../pages/group-section';
import { Failure, Loading } from '../pages/Status';
import { useLoad } from '../useLoad';
import { AddRule } from './AddRule';
import { ChangeDialog } from './ChangeDialog';
import { draftOf } from './draft';
import { EditRule, type OpenEdit } from './EditRule';
import type { ProposedChange } from './preview';
import { RuleTable } from './RuleTable';
import { loadConnections, SimulatedConnections } from './SimulatedConnections';
import type { SimulatedConnection } from './simulate';
import { ruleFormTraits } from './traits';
import './rules.css';

export function GroupRules({ api, group, reload }: GroupSectionProps) {
  const linked = useLinkedRule();
  const traits = useLoad(
    () => ruleFormTraits(api, group.regionId, group.type),
    [api, group.regionId, group.type],
  );
  const [connections, setConnections] = useState<SimulatedConnection[]>(() => loadConnections(group.id));
  const [change, setChange] = useState<ProposedChange | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  // A refused delete (the rule went meanwhile, a stale revision): deletes have no form to show it.
  const [refused, setRefused] = useState<Error | null>(null);
  // Open edits by rule id: they outlive their row's rendering (windowing, live refreshes).
  const edits = useRef(new Map<string, OpenEdit>());
  // New arrays only when the rules change: the memoized tables skip other renders.
  const inbound = useMemo(() => group.rules.filter((r) => r.direction === 'ingress'), [group.rules]);
  const outbound = useMemo(() => group.rules.filter((r) => r.direction === 'egress'), [group.rules]);
  const groupId = group.id;

  const closeEdit = useCallback((ruleId: string) => {
    edits.current.delete(ruleId);
    setEditing((current) => (current === ruleId ? null : current));
  }, []);

  const actions = useCallback(
    (rule: Rule) => (
      <>
        <button
          type="button"
          className="secondary"
          aria-label={`Edit rule ${rule.id}`}
          onClick={() => {
            if (!edits.current.has(rule.id))
              edits.current.set(rule.id, { draft: draftOf(rule), error: null, focused: false });
            setEditing(rule.id);
          }}
        >
          Edit
        </button>{' '}
        <button
          type="button"
          className="secondary danger"
          aria-label={`Delete rule ${rule.id}`}
          onClick={() =>
            setChange({
              title: `Delete rule ${rule.id}`,
              save: 'Delete rule',
              method: 'DELETE',
              path: `/v1/security-groups/${seg(groupId)}/rules/${seg(rule.id)}`,
              simulation: [{ op: 'removeRule', groupId, ruleId: rule.id }],
              onRefused: setRefused,
              onSaved: () => {
                setRefused(null);
                reload();
              },
            })
          }
        >
          Delete
        </button>
      </>
    ),
    [groupId, reload],
  );

  const formTraits = traits.state === 'done' ? traits.data : null;
  const editor = useCallback(
    (rule: Rule) => {
      if (!formTraits) return null;
      let edit = edits.current.get(rule.id);
      if (!edit) {
        edit = { draft: draftOf(rule), error: null, focused: false };
        edits.current.set(rule.id, edit);
      }
      return (
        <EditRule
          key={rule.id}
          groupId={groupId}
          rule={rule}
          edit={edit}
          traits={formTraits}
          propose={setChange}
          close={() => closeEdit(rule.id)}
          reload={reload}
        />
      );
    },
    [formTraits, groupId, closeEdit, reload],
  );

  const form = (direction: 'ingress' | 'egress') =>
    formTraits ? (
      <AddRule
        groupId={groupId}
        direction={direction}
        traits={formTraits}
        propose={setChange}
        reload={reload}
      />
    ) : traits.state === 'failed' ? (
      <Failure error={traits.error} />
    ) : (
      <Loading what="the region's rule traits" />
    );
  const addInbound = useMemo(() => form('ingress'), [formTraits, traits.state, groupId]);
  const addOutbound = useMemo(() => form('egress'), [formTraits, traits.state, groupId]);

  return (
    <>
      {refused && <Failure error={refused} />}
      <RuleTable
        title="Inbound rules"
        id="inbound"
        rules={inbound}
        direction="ingress"
        scrollTo={linked}
        actions={formTraits ? actions : undefined}
        editing={editing}
        editor={editor}
      >
        {addInbound}
      </RuleTable>
      <RuleTable
        title="Outbound rules"
        id="outbound"
        rules={outbound}
        direction="egress"
        scrollTo={linked}
        actions={formTraits ? actions : undefined}
        editing={editing}
        editor={editor}
      >
        {addOutbound}
      </RuleTable>
      <SimulatedConnections
        api={api}
        regionId={group.regionId}
        groupId={groupId}
        connections={connections}
        onChange={setConnections}
      />
      {change && (
        <ChangeDialog
          api={api}
          regionId={group.regionId}
          change={change}
          connections={connections}
          onClose={() => setChange(null)}
        />
      )}
    </>
  );
}

/**
 * The rule a link names (`/console/groups/{id}#rule-{ruleId}`, as findings link to it): the
 * browser looks for the anchor before the rules are read, and a windowed table may not hold the
 * row at all, so the table scrolls to it itself.
 */
function useLinkedRule(): string | undefined {
  const read = () => (window.location.hash.startsWith('#rule-') ? window.location.hash.slice(6) : undefined);
  const [linked, setLinked] = useState(read);
  useEffect(() => {
    const update = () => setLinked(read());
    window.addEventListener('popstate', update);
    window.addEventListener('hashchange', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('hashchange', update);
    };
  }, []);
  return linked;
}
