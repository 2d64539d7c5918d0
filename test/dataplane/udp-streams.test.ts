// The both-ways UDP timeout keeper without a kernel: which conntrack events it notes, when the
// update is due (after the kernel's 2-s window; also at once when the one-way timeout is
// shorter than that window), and what it writes.
import { describe, expect, it } from 'vitest';
import type { ConntrackTimeouts } from '../../src/core/model.js';
import { DEFAULT_TIMEOUTS } from '../../src/core/profiles.js';
import { UdpStreams } from '../../src/dataplane/udp-streams.js';

const BASE = DEFAULT_TIMEOUTS;
const REPLIED =
  ' [UPDATE] udp      17 30 src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=40000';

function keeper(timeouts: ConntrackTimeouts) {
  const clock = { now: 0 };
  const k = new UdpStreams(
    undefined,
    () => timeouts,
    undefined,
    () => clock.now,
  );
  return { k, clock };
}

describe('UDP both-ways timeout keeper', () => {
  it("gives an entry answered inside its first 2 s what the both-ways timeout leaves, once the kernel's window is over", () => {
    const { k, clock } = keeper(BASE);
    k.onEvent(REPLIED);
    clock.now = 1000;
    expect(k.due()).toEqual([]);
    clock.now = 2500;
    expect(k.due()).toEqual(['-U -p udp -s 10.0.0.1 -d 10.0.0.2 --sport 40000 --dport 53 -t 178']);
    clock.now = 5000;
    expect(k.due()).toEqual([]);
  });

  it('leaves alone what the kernel assured, its own updates, unanswered and non-UDP entries', () => {
    const { k, clock } = keeper(BASE);
    k.onEvent(REPLIED);
    k.onEvent(`${REPLIED} [ASSURED]`);
    k.onEvent(`${REPLIED.replace('40000', '40001')} mark=0 [USERSPACE] portid=1`);
    k.onEvent(
      REPLIED.replace('sport=53 dport=40000', 'sport=53 dport=40000 [UNREPLIED]').replace('40000', '40002'),
    );
    k.onEvent(
      ' [UPDATE] tcp      6 60 SYN_RECV src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1',
    );
    clock.now = 3000;
    expect(k.due()).toEqual([]);
  });

  it('with a one-way timeout shorter than the window, updates at once and again after it', () => {
    const { k, clock } = keeper({ ...BASE, otherOneWay: 1, otherBothWays: 18 });
    k.onEvent(REPLIED);
    clock.now = 50;
    expect(k.due()).toEqual([expect.stringMatching(/ -t 18$/)]);
    clock.now = 2200;
    expect(k.due()).toEqual([expect.stringMatching(/ -t 16$/)]);
  });

  it('does nothing when both timeouts agree', () => {
    const { k, clock } = keeper({ ...BASE, otherOneWay: 60, otherBothWays: 60 });
    k.onEvent(REPLIED);
    clock.now = 3000;
    expect(k.due()).toEqual([]);
  });
});
