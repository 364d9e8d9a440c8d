// The public type surface is versioned: the declarations the package ships must equal the API
// report kept in the repository, and the report's version must be the package's, with a
// CHANGELOG.md section. Changing the surface thus takes `npm run api-report`, which refuses
// without a version bump and its CHANGELOG entry (scripts/build-types.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../../helpers/env.js';
import { SKIFF_VERSION } from '../../../src/engine/system/info.js';

interface ReportTools {
  REPORT: string;
  publicDts(): string;
  normalise(dts: string): string;
  surface(dts: string): string;
  readReport(): { version: string; dts: string } | undefined;
  changelogHas(version: string, text?: string): boolean;
}

// The scripts name their files relative to the repository, where the test runner runs.
const tools = (await import(join(REPO, 'scripts/api-report.mjs'))) as ReportTools;
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

test('the declarations bundled from src/lib/index.ts equal the API report kept in the repository (doc comments aside)', () => {
  const kept = tools.readReport();
  assert.ok(kept, `${tools.REPORT} is missing or unreadable: npm run api-report`);
  const now = tools.normalise(tools.publicDts());
  assert.ok(
    tools.surface(now) === tools.surface(kept.dts),
    `the public API changed: bump package.json's version (semver), add its CHANGELOG.md section, then npm run api-report`,
  );
  // Only the API: nothing of the engine's internals leaks into it.
  assert.doesNotMatch(now, /\bctx\b|\bprivate\b|\b_[a-z]\w*\??:|declare class (?!EngineError\b)/);
});

test('the report, package.json, SKIFF_VERSION and CHANGELOG.md name the same version', () => {
  assert.equal(tools.readReport()?.version, version);
  assert.equal(SKIFF_VERSION, version);
  assert.ok(tools.changelogHas(version, readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8')), `CHANGELOG.md has no section for ${version}`);
});

test('a CHANGELOG section is recognised only for its own version', () => {
  const log = '# Changelog\n\n## [Unreleased]\n\n## [0.3.0] - 2027-01-01\n\n- x\n\n## 0.2.1\n';
  assert.equal(tools.changelogHas('0.3.0', log), true);
  assert.equal(tools.changelogHas('0.2.1', log), true);
  assert.equal(tools.changelogHas('0.3.1', log), false);
  assert.equal(tools.changelogHas('0.3', log), false);
});

test('npm run docs (TypeDoc) documents the public API without warnings: the engine, its resources, the errors', () => {
  const out = mkdtempSync(join(tmpdir(), 'skiff-typedoc-'));
  try {
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typedoc/bin/typedoc'), '--out', out, '--treatWarningsAsErrors'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    for (const page of ['index.html', 'functions/createEngine.html', 'functions/serveDockerApi.html', 'interfaces/Engine.html', 'interfaces/Containers.html', 'classes/EngineError.html']) {
      assert.ok(existsSync(join(out, page)), `${page} missing`);
    }
    // The guide is the reference's front page.
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /Run a container and read its output/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('a doc comment is not a change of the surface; a member is', () => {
  const base = 'export interface A {\n\t/** one */\n\tx: string;\n}\n';
  assert.equal(tools.surface(base), tools.surface(base.replace('one', 'two words')));
  assert.notEqual(tools.surface(base), tools.surface(base.replace('x: string;', 'x: string;\n\ty?: number;')));
});
