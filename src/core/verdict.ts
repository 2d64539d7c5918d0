// What the evaluator answers: a verdict and why. Shared by the compiled classifier, the
// reference evaluator, the simulator, the CLI and (later) the API.
import type { Action, Direction, InnerAccessPolicy } from './model.js';

/** A rule as it takes part in one port's evaluation order. */
export interface RuleRef {
  groupId: string;
  groupName: string;
  /** Position of the group in the port's membership (Huawei sequence, 0 first). */
  groupSequence: number;
  ruleId: string;
  priority: number;
  action: Action;
  /** Position of this rule in the port's evaluation order for this direction (0 first). */
  position: number;
}

export type Decider =
  | ({ kind: 'rule' } & RuleRef)
  | {
      /** Alibaba basic group with innerAccessPolicy Accept: members reach each other. */
      kind: 'innerAccess';
      groupId: string;
      groupName: string;
      policy: InnerAccessPolicy;
    }
  | { kind: 'default'; reason: string };

export interface Explanation {
  portId: string;
  direction: Direction;
  verdict: Action;
  decidedBy: Decider;
  /** Every rule of the port that matched the packet, in evaluation order (the decider first). */
  matched: RuleRef[];
}

/** One side of a flow: the Palisade port that owns the address, if any, and its verdict. */
export interface FlowSide {
  /** null: the address belongs to no Palisade port, so no policy applies on this side. */
  portId: string | null;
  explanation: Explanation | null;
}

/** A packet checked through the sender's egress and the receiver's ingress policy. */
export interface FlowCheck {
  verdict: Action;
  egress: FlowSide;
  ingress: FlowSide;
}
