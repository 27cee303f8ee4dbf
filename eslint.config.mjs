// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.quorum/**', 'eval/cases/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Domain and workflow code must stay free of `any` and of I/O (determinism).
    files: ['domain/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'fs',
                'node:*',
                'http',
                'https',
                'net',
                'child_process',
                'crypto',
                'os',
                'pg',
                'openai',
                '@anthropic-ai/sdk',
                '../activities/*',
                '../store/*',
                '../api/*',
              ],
              message: 'domain/ and workflows/ are deterministic: no I/O modules.',
              // `import type` is erased at compile time: workflows may name activity signatures.
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
      },
    },
  },
);
