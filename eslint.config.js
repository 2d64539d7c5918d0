import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noDynamicKey from './eslint-rules/no-dynamic-key.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'web/dist/', 'scratch/'] },
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
    // Tenant isolation is structural: the front ends read through a Scope (Service.read), which
    // hands out only what the caller may see and is caught up with the change log. They never
    // touch the world, a region's full record, or the catch-up themselves.
    files: ['src/compat/**/*.ts', 'src/server/routes/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='world']",
          message: 'Read through svc.read(principal) (a Scope), not the world.',
        },
        {
          selector: "MemberExpression[property.name='record']",
          message: "A region's full record is the service layer's: use the ScopedRegion's methods.",
        },
        {
          selector: "CallExpression[callee.property.name='sync']",
          message: 'svc.read(principal) catches up; a front end does not.',
        },
      ],
    },
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
