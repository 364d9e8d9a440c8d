// Layer rules: cli/api → engine → core + impl → sys (cli may start the api: `system service`). Only src/cli prints or exits.
import tseslint from 'typescript-eslint';

const noPrint = {
  'no-console': 'error',
  'no-restricted-properties': [
    'error',
    { object: 'process', property: 'exit', message: 'Only src/cli decides how the process ends.' },
    { object: 'process', property: 'stdout', message: 'Only src/cli writes to the terminal.' },
  ],
};

function layer(files, forbidden, extra = {}) {
  return {
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((group) => ({ group: [group], message: 'Imports between layers go one way: cli/api → engine → core/impl → sys.' })),
        },
      ],
      ...extra,
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'max-lines': ['warn', { max: 800, skipBlankLines: true, skipComments: true }],
    },
  },
  layer(['src/engine/**'], ['**/cli/**', '**/api/**'], noPrint),
  layer(['src/impl/**'], ['**/cli/**', '**/api/**', '**/engine/**'], noPrint),
  layer(['src/core/**'], ['**/cli/**', '**/api/**', '**/engine/**', '**/impl/**', '**/sys/**', 'node:fs', 'node:fs/*', 'node:child_process'], noPrint),
  layer(['src/sys/**'], ['**/cli/**', '**/api/**', '**/engine/**', '**/impl/**'], noPrint),
  layer(['src/api/**'], ['**/cli/**', '**/impl/**', '**/sys/**'], noPrint),
  layer(['src/cli/**'], ['**/impl/**', '**/sys/**']),
  // The package's API: over the engine (and the API service for serveDockerApi), never below it.
  layer(['src/lib/**'], ['**/cli/**', '**/impl/**', '**/sys/**'], noPrint),
);
