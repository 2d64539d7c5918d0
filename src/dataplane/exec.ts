// Running the kernel's tools (ip, nft, conntrack, sysctl): one place that spawns them, so every
// failure carries the command and its stderr.
import { execFile, spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`${command} failed (${code}): ${stderr.trim()}`);
  }
}

/** Run a program; resolves to its stdout, rejects with CommandError. */
export function run(program: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new CommandError(`${program} ${args.join(' ')}`, e.message, null)));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new CommandError(`${program} ${args.join(' ')}`, err || out, code)),
    );
    if (input !== undefined) {
      // A program that exits before reading its input must not crash us with EPIPE.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(input);
    }
  });
}

/** Run a program inside a network namespace. */
export const inNetns = (ns: string, program: string, args: string[], input?: string) =>
  run('ip', ['netns', 'exec', ns, program, ...args], input);

/** Whether a program exists on this machine. */
export function available(program: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${program}`], (e) => resolve(!e)));
}
