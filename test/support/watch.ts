// Follow a server's change stream in a test until a condition holds.
import type { PalisadeClient } from '../../src/client/client.js';
import { watchChanges } from '../../src/client/watch.js';
import type { ChangeRecord } from '../../src/control/events.js';

/** Follow the stream until `until` holds for what arrived (or time runs out). */
export async function collect(
  client: PalisadeClient,
  options: { fromRevision?: number; regionId?: string; host?: string },
  until: (seen: ChangeRecord[]) => boolean,
  timeoutMs = 10_000,
): Promise<ChangeRecord[]> {
  const seen: ChangeRecord[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  await watchChanges(client, { ...options, signal: controller.signal, retryMs: 50 }, (c) => {
    seen.push(c);
    if (until(seen)) controller.abort();
  });
  clearTimeout(timer);
  return seen;
}
