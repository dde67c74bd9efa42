// Lint, run by `npm test`. Beyond a few correctness rules, it holds the layers of DESIGN.md
// ("Folders and layers"): imports only point down, so a forbidden import fails the build.
import tseslint from 'typescript-eslint';

/** Imports every runtime file is refused: the deployment code and the entry points sit above it. */
const ABOVE_RUNTIME = [
  {
    regex: '^#infra/|(^|/)(infra|bin)/',
    message:
      'runtime code (functions/, shared/) must not import infra/ or bin/: move what you need down into shared/ (DESIGN.md, "Folders and layers").',
  },
  {
    regex: '^\\.\\./',
    message: 'reach another folder through its subpath import (#scim/..., #store/..., ...), not a relative ../ path.',
  },
];
const NOT = (folders, why) => ({
  regex: `^#(${folders.join('|')})/`,
  message: why,
});

/** The rules, one block per layer; `files` globs match the layer's folder. */
const LAYERS = [
  { files: ['functions/**/*.ts'], patterns: [] },
  {
    files: ['shared/api/**/*.ts'],
    patterns: [NOT(['functions'], 'shared/api is imported by the functions, never the reverse.')],
  },
  {
    files: ['shared/scim/**/*.ts'],
    patterns: [
      {
        regex: '^#(?!scim/)',
        message: 'shared/scim is the pure SCIM engine: it imports nothing project-internal outside shared/scim.',
      },
    ],
  },
  {
    files: ['shared/store/**/*.ts'],
    patterns: [
      NOT(
        ['http', 'directory', 'admin', 'functions', 'api', 'events'],
        'shared/store is the repository: it must not import http, directory, admin, api, events or functions (they build on it).',
      ),
    ],
  },
  {
    files: ['shared/directory/**/*.ts', 'shared/admin/**/*.ts'],
    patterns: [
      NOT(
        ['http', 'api', 'functions'],
        'use cases (shared/directory, shared/admin) are independent of HTTP and API Gateway: take plain arguments, let shared/api adapt requests.',
      ),
      { regex: '^(aws-lambda|@middy/)', message: 'use cases do not know about Lambda or API Gateway.' },
    ],
  },
  {
    files: ['shared/events/**/*.ts'],
    patterns: [
      NOT(
        ['http', 'api', 'admin', 'functions'],
        'shared/events turns stream records into events and delivers them: it builds on the store and the directory, never on HTTP, the API glue or the functions.',
      ),
      {
        regex: '^(aws-lambda|@middy/)',
        message: 'shared/events does not know about Lambda: functions/events adapts the stream event.',
      },
    ],
  },
  {
    files: ['shared/http/**/*.ts'],
    patterns: [
      NOT(
        ['store', 'directory', 'admin', 'api', 'functions'],
        'shared/http holds middlewares: parsing, errors to SCIM bodies, content type; it must not reach into the store or the use cases.',
      ),
    ],
  },
  {
    files: ['shared/auth/**/*.ts'],
    patterns: [
      NOT(
        ['http', 'directory', 'admin', 'functions'],
        'shared/auth (tokens, bearer parsing, authorizer policy) must not import http, directory, admin or functions.',
      ),
    ],
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      'dist/**',
      '.data/**',
      '.dynamodb/**',
      'coverage/**',
      'bench-results/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    rules: {
      'no-debugger': 'error',
      'no-dupe-keys': 'error',
      'no-duplicate-case': 'error',
      'no-self-compare': 'error',
      'no-unreachable': 'error',
      'no-unsafe-finally': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
  },
  ...LAYERS.map(({ files, patterns }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [...ABOVE_RUNTIME, ...patterns] }] },
  })),
);
