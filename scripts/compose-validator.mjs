// The Compose Specification validator as Ajv standalone code, compiled at build time from the
// vendored schema: scripts/build.mjs puts it in place of src/core/compose/schema/compile.ts, so
// `skiff compose` does not spend Ajv's compile (0.5-1 s) on every run. The options are the
// runtime module's (AJV_OPTIONS there).
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const COMPILE_MODULE = /src[\\/]core[\\/]compose[\\/]schema[\\/]compile\.ts$/;

export function composeValidatorModule() {
  const { $schema: _ignored, ...schema } = JSON.parse(readFileSync('src/core/compose/schema/compose-spec.json', 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: false, validateSchema: false, code: { source: true } });
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  // The standalone code is CommonJS (module.exports = validate): run it in a module scope of its own.
  return `const validate = (() => { const module = { exports: {} }; ${code}; return module.exports; })();
export function composeValidator() { return validate; }
`;
}

/** An esbuild plugin loading the precompiled validator in place of the runtime compile. */
export const precompiledComposeSchema = {
  name: 'precompiled-compose-schema',
  setup(b) {
    b.onLoad({ filter: COMPILE_MODULE }, () => ({ contents: composeValidatorModule(), loader: 'js', resolveDir: process.cwd() }));
  },
};
