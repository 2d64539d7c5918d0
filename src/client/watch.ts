// Follow the change stream: Server-Sent Events from GET /v1/watch, parsed into change records,
// resumed after a disconnect from the last revision seen (Last-Event-ID), so a follower gets
// every change once, in revision order. The host agent (and the tests) use it.
import type { ChangeRecord } from '../control/events.js';
import type { PalisadeClient } from './client.js';

export interface WatchOptions {
  fromRevision?: number;
  regionId?: string;
  host?: string;
  /** Stop following when aborted. */
  signal?: AbortSignal;
  /** Delay before reconnecting after the stream ends or fails. */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

/** Calls `onChange` for every change after `fromRevision` until the signal aborts. Returns the last revision seen. */
export async function watchChanges(
  client: PalisadeClient,
  options: WatchOptions,
  onChange: (change: ChangeRecord) => void | Promise<void>,
): Promise<number> {
  let last = options.fromRevision ?? 0;
  const { signal } = options;
  while (!signal?.aborted) {
    try {
      const query = new URLSearchParams({ fromRevision: String(last) });
      if (options.regionId) query.set('regionId', options.regionId);
      if (options.host) query.set('host', options.host);
      const path = `/v1/watch?${query}`;
      const res = await fetch(client.baseUrl + path, {
        headers: {
          ...client.auth('GET', path, ''),
          accept: 'text/event-stream',
          'last-event-id': String(last),
        },
        signal,
      });
      if (!res.ok || !res.body) throw new Error(`watch answered ${res.status}: ${await res.text()}`);
      for await (const event of sseEvents(res.body)) {
        if (event.event !== 'change') continue;
        const change = JSON.parse(event.data) as ChangeRecord;
        if (change.revision <= last) continue;
        await onChange(change);
        last = change.revision;
      }
    } catch (error) {
      if (signal?.aborted) break;
      options.onError?.(error);
    }
    if (!signal?.aborted) await new Promise((r) => setTimeout(r, options.retryMs ?? 500));
  }
  return last;
}

interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** Parse a text/event-stream body into events (comments and keep-alives skipped). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: SseEvent = { event: 'message', data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
      }
      if (data.length) yield { ...event, data: data.join('\n') };
    }
  }
}
