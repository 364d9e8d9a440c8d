// Checking generated units without systemd as PID 1: `systemd-analyze verify` reads unit files
// offline, and an Exec line is run by hand as systemd would (specifiers expanded, words split,
// Environment= applied).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { UnitFile, splitWords } from '../../../src/core/systemd/unit-file.js';
import type { RunResult } from '../../helpers/env.js';

/** `systemd-analyze verify` of the files (from their directory, so they find each other): no complaint about any. */
export function verifyUnits(dir: string, names: string[]): void {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...names.map((n) => join(dir, n))], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, `systemd-analyze verify failed: ${r.stderr}`);
  const ours = r.stderr.split('\n').filter((l) => names.some((n) => l.includes(n)));
  assert.deepEqual(ours, [], `systemd-analyze verify complained: ${r.stderr}`);
}

export interface UnitRunner {
  /** Runs every `key` line of the unit, in order, as systemd would; a `-` prefix tolerates failure. */
  run(key: string, extraEnv?: NodeJS.ProcessEnv): RunResult[];
}

/** `runtimeDir` stands for %t (/run for system units). */
export function unitRunner(name: string, text: string, runtimeDir: string): UnitRunner {
  mkdirSync(runtimeDir, { recursive: true });
  const unit = UnitFile.parse(text);
  const expand = (s: string) =>
    s.replace(/%([%tnN])/g, (_, c: string) => ({ '%': '%', t: runtimeDir, n: name, N: name.replace(/\.service$/, '') })[c]!);
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.SKIFF_ROOT;
  delete env.SKIFF_RUNROOT;
  delete env.SKIFF_CONFIG;
  for (const e of unit.all('Service', 'Environment').flatMap((v) => splitWords(expand(v)))) {
    const i = e.indexOf('=');
    env[e.slice(0, i)] = e.slice(i + 1);
  }
  return {
    run(key, extraEnv = {}) {
      return unit.all('Service', key).map((line) => {
        const tolerant = line.startsWith('-');
        const argv = splitWords(expand(line.replace(/^[-@:+!]+/, '')).replace(/\$\$/g, '$'));
        const r = spawnSync(argv[0]!, argv.slice(1), { env: { ...env, ...extraEnv }, encoding: 'utf8' });
        const res = { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
        if (!tolerant) assert.equal(res.code, 0, `${key}=${line} exited ${res.code}: ${res.stderr}`);
        return res;
      });
    },
  };
}
