import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noDynamicKey from './eslint-rules/no-dynamic-key.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'web/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-bitwise': 'off',
    },
  },
  {
    // No request-controlled string indexes a plain object (eslint-rules/no-dynamic-key.js).
    // The rule needs type information, so only src/ is linted with it: src/ is the code that
    // handles requests; tests, benches and scripts index their own fixtures and the answers
    // they parse, and typing them too would make the lint slower still.
    files: ['src/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { palisade: { rules: { 'no-dynamic-key': noDynamicKey } } },
    rules: { 'palisade/no-dynamic-key': 'error' },
  },
  {
    // TEMPORARY allow-list while src/control, src/store and src/server are being edited
    // elsewhere: status.ts (ruleHits[rule], rule ids from a host agent's report), statements.ts
    // (BY_DIALECT[dialect][name]) and limits.ts (env[name]) still index plain objects by
    // computed keys. Take each file off when it is fixed; do not add to this list (fix the
    // lookup instead).
    files: ['src/control/ops/status.ts', 'src/store/statements.ts', 'src/server/limits.ts'],
    rules: { 'palisade/no-dynamic-key': 'off' },
  },
  {
    // API tests read JSON answers field by field.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain Node scripts (not type-checked TypeScript): declare the Node globals they use.
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
  },
);
