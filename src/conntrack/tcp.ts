// Connection states and their idle timeouts. TCP follows Linux conntrack's states closely
// enough for security-group semantics (no window tracking); a mid-stream packet of an
// untracked flow is picked up as established, like nf_conntrack_tcp_loose=1.
import type { ConntrackTimeouts } from '../core/model.js';

/** TCP header flag bits. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;
export type TcpFlags = number;

const FLAG_BITS = new Map([
  ['F', FIN],
  ['S', SYN],
  ['R', RST],
  ['A', ACK],
  ['P', 0x08],
  ['U', 0x20],
]);

/** "S", "SA", "A", "F", "FA", "R", "RA" (any order, case-insensitive) → flag bits. */
export function parseTcpFlags(text: string): TcpFlags {
  let flags = 0;
  for (const ch of text.toUpperCase()) {
    const bit = FLAG_BITS.get(ch);
    if (bit === undefined) throw new Error(`unknown TCP flag "${ch}" in "${text}" (use S, A, F, R, P, U)`);
    flags |= bit;
  }
  return flags;
}

export const enum State {
  SynSent = 1,
  SynRecv = 2,
  Established = 3,
  FinWait = 4,
  CloseWait = 5,
  LastAck = 6,
  TimeWait = 7,
  Close = 8,
  Icmp = 9,
  Other = 10,
}

export const STATE_NAMES: Record<number, string> = {
  1: 'SYN_SENT',
  2: 'SYN_RECV',
  3: 'ESTABLISHED',
  4: 'FIN_WAIT',
  5: 'CLOSE_WAIT',
  6: 'LAST_ACK',
  7: 'TIME_WAIT',
  8: 'CLOSE',
  9: 'ICMP',
  10: 'OTHER',
};

export function initialState(protocol: number, flags: TcpFlags): State {
  if (protocol === 6) return flags & SYN && !(flags & ACK) ? State.SynSent : State.Established;
  if (protocol === 1 || protocol === 58) return State.Icmp;
  return State.Other;
}

/**
 * Next TCP state after a packet. `reply` says the packet goes against the original direction;
 * `finByReply` says which side sent the first FIN (for the LAST_ACK → TIME_WAIT step).
 */
export function nextTcpState(state: State, flags: TcpFlags, reply: boolean, finByReply: boolean): State {
  if (flags & RST) return State.Close;
  const fin = (flags & FIN) !== 0;
  switch (state) {
    case State.SynSent:
      return reply && flags & SYN ? State.SynRecv : state;
    case State.SynRecv:
      return !reply && flags & ACK ? State.Established : fin ? State.FinWait : state;
    case State.Established:
      return fin ? State.FinWait : state;
    case State.FinWait:
      if (reply === finByReply) return state; // more from the side that closed
      return fin ? State.LastAck : flags & ACK ? State.CloseWait : state;
    case State.CloseWait:
      return fin && reply !== finByReply ? State.LastAck : state;
    case State.LastAck:
      return flags & ACK && reply === finByReply ? State.TimeWait : state;
    case State.TimeWait:
    case State.Close:
      return !reply && flags & SYN && !(flags & ACK) ? State.SynSent : state;
    default:
      return state;
  }
}

/** Idle timeout of a state, in seconds. */
export function timeoutOf(t: ConntrackTimeouts, state: State, seenReply: boolean): number {
  switch (state) {
    case State.SynSent:
      return t.tcpSynSent;
    case State.SynRecv:
      return t.tcpSynRecv;
    case State.Established:
      return t.tcpEstablished;
    case State.FinWait:
      return t.tcpFinWait;
    case State.CloseWait:
      return t.tcpCloseWait;
    case State.LastAck:
      return t.tcpLastAck;
    case State.TimeWait:
      return t.tcpTimeWait;
    case State.Close:
      return t.tcpClose;
    case State.Icmp:
      return t.icmp;
    default:
      return seenReply ? t.otherBothWays : t.otherOneWay;
  }
}
