import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first: a folder may import its own layer and those below it, never
 * one above. Runtimes (api/, workers/) and tools (infra/, cli/, bench/, test/) sit on top; src/
 * imports none of them, nor the shared part of the composition roots (src/common-services.ts).
 */
const LAYERS = [
  // Foundations: configuration, errors, logging, validation, AWS clients and ports, crypto.
  [
    'src/config.ts',
    'src/errors.ts',
    'src/logger.ts',
    'src/audit',
    'src/validation.ts',
    'src/aws',
    'src/crypto',
    'src/certificates',
    'src/queue',
    'src/storage',
    'src/events',
    'src/metrics',
  ],
  ['src/templates'],
  ['src/tasks'],
  ['src/provisioning'],
  [
    'src/bulk',
    'src/template-admin',
    'src/things',
    'src/health',
    'src/inventory',
    'src/retirement',
    'src/lifecycle',
  ],
  ['src/rotation'],
  ['src/common-services.ts'],
];
const layerZones = LAYERS.slice(0, -1).map((layer, i) => ({
  target: layer.map((path) => `./${path}`),
  from: LAYERS.slice(i + 1)
    .flat()
    .map((path) => `./${path}`),
  message: 'a lower layer of src/ imports a higher one (layers: eslint.config.js)',
}));

// import-x's TypeScript settings (parsers, extensions), with the resolver built here instead.
const { 'import-x/resolver': _legacyResolver, ...typescriptSettings } =
  importX.flatConfigs.typescript.settings;

export default tseslint.config(
  { ignores: ['node_modules', '.local', 'dist', '.serverless', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...typescriptSettings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src',
              from: ['./api', './workers', './infra', './cli', './bench', './test'],
              message: 'src/ is the core: it never imports a runtime, a composition root or a tool',
            },
            { target: './api', from: './workers', message: 'the API and the workers are separate runtimes' },
            { target: './workers', from: './api', message: 'the API and the workers are separate runtimes' },
            ...layerZones,
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        globalThis: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
