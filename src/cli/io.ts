// Where the CLI writes, so tests can run commands in-process and read what they printed.
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  readFile: (path: string) => string;
}

/** Exit codes: 0 allowed / valid, 1 denied / invalid policy, 2 bad usage or unreadable input. */
export const EXIT = { ok: 0, negative: 1, usage: 2 } as const;

export class UsageError extends Error {}
