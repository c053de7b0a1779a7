import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
// The service never imports the development tools (tools/ imports src/, not the other way round).
const noTools = {
  group: ['**/tools', '**/tools/**'],
  message: 'The service does not import tools/: the sandbox, bench and dev launcher are not shipped.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-tools/**',
      'node_modules/**',
      '.data/**',
      'coverage/**',
      '.stryker-tmp/**',
      'reports/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', '*.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noTools] }] },
  },
  {
    // Limits the code once met and must keep (docs/development.md, "Limits the linter holds"): a file a
    // reader can hold and functions of a screen in the workflows and activities. Import cycles and the
    // folders' directions are held by scripts/check-imports.mjs.
    files: ['src/**/*.ts', 'tools/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/activities/**/*.ts', 'src/drift/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60 }] },
  },
  {
    // Workflow code is replayed: it must stay deterministic, so no Node built-ins and no I/O modules.
    files: ['src/workflows/**/*.ts', 'src/drift/workflow/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins,
            {
              name: '../contract',
              allowTypeImports: true,
              message:
                'Import values from ../contract/names or ../contract/workflow-ids: the index brings zod into the bundle.',
            },
          ],
          patterns: [
            { group: ['**/activities/*', '!**/activities/index'], message: 'Import activity types only.' },
            noTools,
          ],
        },
      ],
    },
  },
  {
    // The contract is workflow-safe; the parts workflow code takes values from also stay free of zod.
    files: ['src/contract/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: nodeBuiltins }] },
  },
  {
    files: [
      'src/contract/names.ts',
      'src/contract/urn.ts',
      'src/contract/workflow-ids.ts',
      'src/contract/drift.ts',
      'src/contract/signals.ts',
      'src/contract/ats-job.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: [...nodeBuiltins, 'zod'] }] },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable' },
    },
  },
);
