// The add form above a direction's table, with fast-add of common services: a service's button
// fills the form from the chosen source (or destination) and moves to the form's button, whose
// preview then asks to save. The form keeps its own state, so typing in it re-renders neither
// table (a 1,000-rule group stays quick).
import { Alert } from '../pages/Status';
import { type FormEvent, useRef, useState } from 'react';
import { seg } from '../api';
import { unplaced } from '../Field';
import { bodyOf, type Direction, DRAFT_FIELDS, emptyDraft, SERVICES, serviceDraft } from './draft';
import type { ProposedChange } from './preview';
import { RuleFields } from './RuleForm';
import type { RuleFormTraits } from './traits';

export interface AddRuleProps {
  groupId: string;
  direction: Direction;
  traits: RuleFormTraits;
  propose: (change: ProposedChange) => void;
  reload: () => void;
}

const WORD: Record<Direction, string> = { ingress: 'inbound', egress: 'outbound' };

export function AddRule({ groupId, direction, traits, propose, reload }: AddRuleProps) {
  const [draft, setDraft] = useState(() => emptyDraft(direction, traits));
  const [error, setError] = useState<Error | null>(null);
  const [fastRemote, setFastRemote] = useState('0.0.0.0/0');
  const submit = useRef<HTMLButtonElement>(null);
  const id = `add-${direction}`;
  const title = `Add an ${WORD[direction]} rule`;
  const far = direction === 'ingress' ? 'source' : 'destination';

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const rule = bodyOf(draft, traits);
    propose({
      title,
      save: 'Add rule',
      method: 'POST',
      path: `/v1/security-groups/${seg(groupId)}/rules`,
      body: rule,
      simulation: [{ op: 'addRule', groupId, rule }],
      onRefused: setError,
      onSaved: () => {
        setDraft(emptyDraft(direction, traits));
        setError(null);
        reload();
      },
    });
  };
  const alert = unplaced(error, DRAFT_FIELDS);
  return (
    <div className="add-rule">
      <form aria-label={title} onSubmit={onSubmit} noValidate>
        <h3>{title}</h3>
        <fieldset className="fast-add">
          <legend>Fast add a common service</legend>
          <label htmlFor={`${id}-fast-remote`}>Fast add {far}</label>
          <input
            id={`${id}-fast-remote`}
            value={fastRemote}
            onChange={(e) => setFastRemote(e.target.value)}
            autoComplete="off"
          />
          <div className="services">
            {SERVICES.map((s) => (
              <button
                key={s.name}
                type="button"
                className="secondary"
                onClick={() => {
                  setDraft(serviceDraft(draft, s, fastRemote.trim()));
                  setError(null);
                  submit.current?.focus();
                }}
              >
                {s.name}
                {s.ports ? ` ${s.ports}` : ''}
              </button>
            ))}
          </div>
        </fieldset>
        <RuleFields id={id} draft={draft} onChange={setDraft} traits={traits} error={error} />
        <Alert>{alert}</Alert>
        <button ref={submit} type="submit">
          Preview and add
        </button>
      </form>
    </div>
  );
}
