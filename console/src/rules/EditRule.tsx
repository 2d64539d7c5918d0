// A rule edited in its own row. The draft lives in the page's store of open edits (not in this
// component), so it survives the row leaving the window of a long table and a live refresh of
// the group; Escape or Cancel closes the form.
import { Alert } from '../pages/Status';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type Rule, seg } from '../api';
import { unplaced } from '../Field';
import { bodyOf, type Draft, DRAFT_FIELDS, patchOf } from './draft';
import type { ProposedChange } from './preview';
import { RuleFields } from './RuleForm';
import type { RuleFormTraits } from './traits';

/** An open edit: the draft as typed and the last refusal. */
export interface OpenEdit {
  draft: Draft;
  error: Error | null;
  /** Focus the form when it first appears (not each time its row scrolls back into view). */
  focused: boolean;
}

export interface EditRuleProps {
  groupId: string;
  rule: Rule;
  edit: OpenEdit;
  traits: RuleFormTraits;
  propose: (change: ProposedChange) => void;
  close: () => void;
  reload: () => void;
}

export function EditRule({ groupId, rule, edit, traits, propose, close, reload }: EditRuleProps) {
  const [draft, setDraftState] = useState(edit.draft);
  const [error, setErrorState] = useState(edit.error);
  const form = useRef<HTMLFormElement>(null);
  const setDraft = (d: Draft) => {
    edit.draft = d;
    setDraftState(d);
  };
  const setError = (e: Error | null) => {
    edit.error = e;
    setErrorState(e);
  };
  useEffect(() => {
    if (edit.focused) return;
    edit.focused = true;
    form.current?.querySelector<HTMLElement>('select, input')?.focus();
  }, []);
  const id = `edit-${rule.id}`;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    propose({
      title: `Edit rule ${rule.id}`,
      save: 'Save rule',
      method: 'PATCH',
      path: `/v1/security-groups/${seg(groupId)}/rules/${seg(rule.id)}`,
      body: patchOf(draft, traits, rule),
      // The simulator has no modify step: the old rule goes, the edited one comes.
      simulation: [
        { op: 'removeRule', groupId, ruleId: rule.id },
        { op: 'addRule', groupId, rule: bodyOf(draft, traits) },
      ],
      onRefused: setError,
      onSaved: () => {
        close();
        reload();
      },
    });
  };
  const alert = unplaced(error, DRAFT_FIELDS);
  return (
    <form
      ref={form}
      className="edit-rule"
      aria-label={`Edit rule ${rule.id}`}
      onSubmit={onSubmit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') close();
      }}
      noValidate
    >
      <p className="editing-what">
        Editing the rule at position {rule.position} (<code>{rule.id}</code>)
      </p>
      <RuleFields id={id} draft={draft} onChange={setDraft} traits={traits} error={error} />
      <Alert>{alert}</Alert>
      <div className="dialog-buttons">
        <button type="submit">Preview and save</button>
        <button type="button" className="secondary" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
