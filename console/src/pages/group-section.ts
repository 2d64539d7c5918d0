// What each section of the group page (rules, members, references, findings, actions) is given.
import type { Client, GroupWithRules } from '../api';

export interface GroupSectionProps {
  api: Client;
  group: GroupWithRules;
  /** Read the group again now (after a save), rather than waiting for the change stream. */
  reload: () => void;
}
