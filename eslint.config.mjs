import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.lab/', 'test/fixtures/broken/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/editor and src/webviews may import vscode.' }] },
      ],
    },
  },
  {
    // Plain CommonJS scripts run by node directly (no TypeScript step in the measurement).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', performance: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The thin adapters to VS Code; everything else stays testable in plain mocha.
    files: ['src/extension.ts', 'src/editor/**/*.ts', 'src/webviews/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
