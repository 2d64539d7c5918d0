// The suggested fix of a finding, one click away: a button that opens a confirmation saying what
// will be written, then writes it through the API (deleting a rule, narrowing a rule open to
// every address to a range the user gives, deleting an unused group, compacting a group by the
// proven proposal). The page reads again afterwards, so the fixed finding goes away.
import { useState } from 'react';
import { type Client, seg } from '../api';
import { Confirm } from '../analysis/Confirm';
import { portsText, remoteOf } from '../format';
import { useLoad } from '../useLoad';
import { errorText } from '../analysis/errors';
import type { Fix } from './model';
import type { Rule } from '../api';

export function ruleText(rule: Rule): string {
  const remote = remoteOf(rule);
  const far = rule.direction === 'ingress' ? 'from' : 'to';
  const ports = portsText(rule);
  const what =
    rule.protocol === 'all' ? 'all protocols' : `${rule.protocol} ${ports === 'all' ? 'all ports' : ports}`;
  const where =
    remote.kind === 'group'
      ? `group ${remote.text}`
      : remote.kind === 'addressGroup'
        ? `address group ${remote.text}`
        : remote.text;
  return `${rule.action} ${what} ${far} ${where}`;
}

const LABEL: Record<Fix['kind'], string> = {
  deleteRule: 'Delete rule',
  narrowRule: 'Narrow source',
  deleteGroup: 'Delete group',
  compact: 'Compact group',
};

export function FixButton({ api, fix, onFixed }: { api: Client; fix: Fix; onFixed: () => void }) {
  const [open, setOpen] = useState(false);
  const target = 'rule' in fix ? `rule ${fix.rule.id}` : `group ${fix.group.name}`;
  return (
    <>
      <button
        type="button"
        className={fix.kind === 'narrowRule' || fix.kind === 'compact' ? undefined : 'danger'}
        aria-label={`${LABEL[fix.kind]}: ${target}`}
        onClick={() => setOpen(true)}
      >
        {LABEL[fix.kind]}
      </button>
      {open && <FixDialog api={api} fix={fix} onFixed={onFixed} onClose={() => setOpen(false)} />}
    </>
  );
}

const groupPath = (groupId: string) => `/v1/security-groups/${seg(groupId)}`;

function FixDialog({
  api,
  fix,
  onFixed,
  onClose,
}: {
  api: Client;
  fix: Fix;
  onFixed: () => void;
  onClose: () => void;
}) {
  const done = async (write: Promise<unknown>) => {
    await write;
    onFixed();
  };
  switch (fix.kind) {
    case 'deleteRule':
      return (
        <Confirm
          title="Delete the rule?"
          confirmLabel="Delete the rule"
          onClose={onClose}
          onConfirm={() => done(api.delete(`${groupPath(fix.group.id)}/rules/${seg(fix.rule.id)}`))}
        >
          <p>
            Rule <code>{fix.rule.id}</code> of group {fix.group.name}: {ruleText(fix.rule)}.
          </p>
        </Confirm>
      );
    case 'narrowRule':
      return <NarrowDialog api={api} fix={fix} onClose={onClose} done={done} />;
    case 'deleteGroup':
      return (
        <Confirm
          title="Delete the group?"
          confirmLabel="Delete the group"
          onClose={onClose}
          onConfirm={() => done(api.delete(groupPath(fix.group.id)))}
        >
          <p>
            Group {fix.group.name} (<code>{fix.group.id}</code>) and its {fix.group.rules.length} rules: no
            port is in it and no rule names it.
          </p>
        </Confirm>
      );
    case 'compact':
      return <CompactDialog api={api} fix={fix} onClose={onClose} done={done} />;
  }
}

function NarrowDialog({
  fix,
  api,
  onClose,
  done,
}: {
  fix: Extract<Fix, { kind: 'narrowRule' }>;
  api: Client;
  onClose: () => void;
  done: (write: Promise<unknown>) => Promise<void>;
}) {
  // A private range as the starting point: the user narrows it to the office or bastion's.
  const [cidr, setCidr] = useState(fix.rule.ethertype === 'IPv6' ? 'fd00::/8' : '10.0.0.0/8');
  return (
    <Confirm
      title="Narrow the rule's source?"
      confirmLabel="Narrow the rule"
      onClose={onClose}
      onConfirm={() =>
        done(
          api.patch(`${groupPath(fix.group.id)}/rules/${seg(fix.rule.id)}`, { remoteIpPrefix: cidr.trim() }),
        )
      }
    >
      <p>
        Rule <code>{fix.rule.id}</code> of group {fix.group.name}: {ruleText(fix.rule)}. It will allow only
        the addresses below.
      </p>
      <div className="field">
        <label htmlFor="narrow-cidr">Allow only from (CIDR)</label>
        <input id="narrow-cidr" value={cidr} required onChange={(e) => setCidr(e.target.value)} />
        <small>Known addresses: an office range, a bastion's address.</small>
      </div>
    </Confirm>
  );
}

interface Compaction {
  outcome: 'compacted' | 'unchanged';
  revision: number;
  counts: { before: number; after: number; dropped: number; merged: number };
}

function CompactDialog({
  fix,
  api,
  onClose,
  done,
}: {
  fix: Extract<Fix, { kind: 'compact' }>;
  api: Client;
  onClose: () => void;
  done: (write: Promise<unknown>) => Promise<void>;
}) {
  const path = `${groupPath(fix.group.id)}/compact`;
  const proposal = useLoad(() => api.post<Compaction>(`${path}?apply=false`), [api, path]);
  const c = proposal.state === 'done' ? proposal.data : null;
  return (
    <Confirm
      title="Compact the group?"
      confirmLabel="Write the smaller rule set"
      onClose={onClose}
      onConfirm={() => {
        if (!c || c.outcome === 'unchanged')
          return Promise.reject(new Error('No smaller equivalent rule set'));
        return done(api.post(`${path}?apply=true`));
      }}
    >
      {proposal.state === 'loading' && <p role="status">Computing the smaller rule set…</p>}
      {proposal.state === 'failed' && <p role="alert">{errorText(proposal.error)}</p>}
      {c && (
        <p>
          {c.outcome === 'unchanged'
            ? `No smaller rule set decides every packet the same: the group keeps its ${c.counts.before} rules.`
            : `From ${c.counts.before} rules to ${c.counts.after} (${c.counts.dropped} dropped, ${c.counts.merged} merged), proven to decide every packet the same on every member port.`}
        </p>
      )}
    </Confirm>
  );
}
