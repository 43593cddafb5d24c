// Shared lint rules (STYLE §16). Each workspace runs `eslint .` with this file.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const crossPackageImports = {
  group: ['**/packages/*/**', '**/apps/*/**', '../../../../*'],
  message: 'Import other workspaces by package name (@gatehouse/…), never by relative path.',
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.next/**',
      '**/node_modules/**',
      '**/generated/**',
      '**/coverage/**',
      '**/*.config.*',
      '**/jest.preset.js',
      '**/next-env.d.ts',
      '.tools/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Async functions that satisfy a Promise-returning interface without awaiting are fine.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through @gatehouse/config; only it may touch process.env.',
        },
      ],
      'no-restricted-imports': ['error', { patterns: [crossPackageImports] }],
    },
  },
  {
    // Packages hold logic; frameworks stay in apps (STYLE §1).
    files: ['packages/**/*.ts', 'packages/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            crossPackageImports,
            { group: ['@nestjs/*', 'next', 'next/*', 'bullmq', 'react'], message: 'Packages never import frameworks.' },
          ],
        },
      ],
    },
  },
  {
    // The config package is the one place that reads the environment; tests set it up.
    files: [
      'packages/config/src/**',
      'packages/testing/src/**',
      '**/*.test.ts',
      '**/test/**',
      'scripts/**',
      'prisma/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Jest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`.
    files: ['**/*.test.ts', '**/test/**'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
