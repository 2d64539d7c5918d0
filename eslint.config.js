import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noDynamicKey from './eslint-rules/no-dynamic-key.js';

// Front ends decide on a ServiceError's code and typed fields (resource, id, quota, revisions,
// existingRuleId, ...), never on its prose: a message is passed on, not searched, matched,
// compared or put aside to be parsed later (test/control/errors.test.ts checks the behaviour).
const NO_MESSAGE_PARSING = [
  {
    selector: "CallExpression > MemberExpression.callee > MemberExpression.object[property.name='message']",
    message: 'Do not parse an error message: decide on its code and typed fields (ServiceError).',
  },
  {
    selector:
      "CallExpression[callee.property.name=/^(test|exec|match|matchAll|search|replace|replaceAll)$/] > MemberExpression.arguments[property.name='message']",
    message: 'Do not match an error message: decide on its code and typed fields (ServiceError).',
  },
  {
    selector: "BinaryExpression[operator=/^[!=]==?$/] > MemberExpression[property.name='message']",
    message: 'Do not compare an error message: decide on its code and typed fields (ServiceError).',
  },
  {
    selector:
      "VariableDeclarator > MemberExpression.init[property.name='message'], VariableDeclarator > ObjectPattern.id > Property[key.name='message']",
    message: 'Pass an error message on where it is used; a copy of it invites parsing.',
  },
];

/** Forbid a folder's files to import from the named top-level folders of src/ (and node: for the core). */
function layer(files, above, pure = false) {
  const patterns = above.map((dir) => ({
    group: [`**/${dir}/**`],
    message: `This layer does not depend on src/${dir}: move what both need below them.`,
  }));
  if (pure) patterns.push({ group: ['node:*'], message: 'The core is pure: no I/O.' });
  return [{ files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } }];
}

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
    // The native API's error translation (and the rest of the server) read no messages either;
    // src/server/routes/ gets the rule with the front ends' below.
    files: ['src/server/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_MESSAGE_PARSING] },
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
        ...NO_MESSAGE_PARSING,
      ],
    },
  },
  // One-way dependencies: core (pure, no I/O) <- control (the service layer) <- http (what every
  // HTTP front end shares) <- compat (the clouds' front ends) <- server (mounts them all). A layer
  // imports only those below it, so a fourth cloud is a compat folder and a profile entry.
  ...layer(
    'src/core/**/*.ts',
    ['control', 'http', 'compat', 'server', 'store', 'policy', 'cli', 'agent', 'dataplane'],
    true,
  ),
  ...layer('src/control/**/*.ts', ['http', 'compat', 'server', 'cli', 'agent', 'dataplane']),
  ...layer('src/http/**/*.ts', ['compat', 'server', 'cli', 'agent', 'dataplane']),
  ...layer('src/compat/**/*.ts', ['server', 'cli', 'agent', 'dataplane']),
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
