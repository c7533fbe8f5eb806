// ESLint over the whole tree: typescript-eslint's type-aware rules on every .ts file (one program from tsconfig.json),
// plain recommended rules on the few .js files. Formatting is Prettier's job (eslint-config-prettier turns the overlap off).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const browserGlobals = Object.fromEntries(
  [
    'window',
    'document',
    'location',
    'history',
    'sessionStorage',
    'localStorage',
    'fetch',
    'console',
    'setTimeout',
    'clearTimeout',
    'URL',
    'URLSearchParams',
    'FormData',
    'Option',
    'setInterval',
    'clearInterval',
    'graphqlWs', // graphql-ws's browser build, loaded by the portal page before widget.js
    'WebSocket',
    'Date',
    'JSON',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'tests/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // A leading underscore marks a parameter a signature needs (Express error handlers) or a property left out of a rest copy.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Off: interfaces declare the methods of closure factories, which never use `this`; passing `x.close` along is the house style.
      '@typescript-eslint/unbound-method': 'off',
      // Off: `async` without `await` implements Promise-returning interfaces (Apollo plugins, closers) and turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // Off in tests: vitest's asymmetric matchers (expect.any, expect.stringMatching) and the JSON bodies under test are `any`; the assertion checks them.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['gateway/portal/public/**/*.js', 'registry/console/public/**/*.js'],
    languageOptions: { globals: browserGlobals },
  },
  { files: ['gateway/portal/public/widget.js'], languageOptions: { sourceType: 'script' } },
  prettier,
);
