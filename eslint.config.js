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
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['gateway/portal/public/**/*.js', 'registry/console/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: browserGlobals },
  },
  prettier,
);
