// Writes schema/policy.schema.json from the TypeBox schema the loader checks files against.
import { writeFileSync } from 'node:fs';
import { PolicySchema } from '../src/policy/schema.js';

const target = new URL('../schema/policy.schema.json', import.meta.url);
writeFileSync(
  target,
  `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...PolicySchema }, null, 2)}\n`,
);
console.log(`wrote ${target.pathname}`);
