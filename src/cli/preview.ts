// --preview on the CLI's writes: the command runs as usual with a client whose writes go out with
// ?preview=true (client.ts PreviewingClient), so nothing is stored, and it prints the write's
// preview (the packets it newly allows and denies, the connections it will cut) instead of its
// answer; --json prints the Preview body as the server sent it.
import type { Command } from 'commander';
import { PreviewingClient, type PalisadeClient } from '../client/client.js';
import { previewText } from './difference-text.js';
import type { Io } from './io.js';
import { apiAction, type Json } from './remote.js';

export const PREVIEW_HELP =
  'write nothing: print what the write would change (packets newly allowed and denied, connections it will cut)';

/** apiAction for a command that writes once and takes --preview. */
export function previewableAction<A extends unknown[]>(
  io: Io,
  exit: (code: number) => void,
  action: (client: PalisadeClient, ...args: A) => Promise<{ value: unknown; text: () => string }>,
) {
  return apiAction<A>(io, exit, async (client, ...args) => {
    const cmd = args[args.length - 1] as Command;
    if (!(cmd.opts() as { preview?: boolean }).preview) return action(client, ...args);
    const previewing = new PreviewingClient(client.baseUrl, client.credentials);
    await action(previewing, ...args);
    // A preview is of one write against the stored region: a second would not see the first.
    if (previewing.previews.length !== 1)
      throw new Error(`a --preview command sent ${previewing.previews.length} writes, not one`);
    const preview = previewing.previews[0] as Json;
    return { value: preview, text: () => previewText(preview) };
  });
}
