// Ids of what Palisade's Keystone does not store (roles, services, endpoints): derived from
// their names, so every server and every restart answers the same ones.
import { createHash } from 'node:crypto';

export function stableId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
