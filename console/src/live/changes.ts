// The change stream (GET /v1/watch, Server-Sent Events) read with fetch, since EventSource cannot
// send the bearer token. Resumes after a disconnect from the last revision seen, so no change is
// missed or repeated.
import type { Client } from '../api';

/** One committed write as the stream reports it (docs/api.md, "The change stream"). */
export interface Change {
  revision: number;
  regionId: string | null;
  tenantId: string | null;
  action: string;
  at: string;
  events: { op: string; regionId?: string; groupId?: string; [key: string]: unknown }[];
}

const RETRY_MS = 2_000;

/** One SSE event's `data` from its lines, when it is a change. */
export function changeOf(block: string): Change | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (event !== 'change' || data.length === 0) return null;
  try {
    return JSON.parse(data.join('\n')) as Change;
  } catch {
    return null;
  }
}

/**
 * Follow the caller's changes from now on, calling `onChange` for each and `onState` when the
 * stream connects or drops. Stops when `signal` aborts.
 */
export async function followChanges(
  api: Client,
  signal: AbortSignal,
  onChange: (change: Change) => void,
  onState: (connected: boolean) => void,
): Promise<void> {
  let after: number | null = null;
  while (!signal.aborted) {
    try {
      // The present revision first: the console already shows the state as of now.
      after ??= (await api.get<{ revision: number }>('/v1/status', signal)).revision;
      const res = await api.stream(`/v1/watch?fromRevision=${after}`, signal);
      if (!res.ok || !res.body) throw new Error(`watch answered ${res.status}`);
      onState(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const change = changeOf(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (change && change.revision > after) {
            after = change.revision;
            onChange(change);
          }
        }
      }
    } catch {
      // A dropped stream, an aborted one, or a server that is restarting: retry below.
    }
    onState(false);
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
