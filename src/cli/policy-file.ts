// Read and load a policy file for a command, printing its errors when it does not load.
import type { RegionState } from '../core/model.js';
import type { ValidationError } from '../core/validate.js';
import { loadPolicy } from '../policy/load.js';
import { type Io, UsageError } from './io.js';

export function readPolicy(io: Io, path: string): { state: RegionState | null; errors: ValidationError[] } {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new UsageError(
      `cannot read policy file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return loadPolicy(text, path);
}

export function formatErrors(errors: ValidationError[]): string {
  const width = Math.max(4, ...errors.map((e) => e.path.length));
  return errors
    .map((e) => `${(e.path || '(file)').padEnd(width)}  ${e.code.padEnd(28)}  ${e.message}`)
    .join('\n');
}
