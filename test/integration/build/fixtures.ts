// Shared set-up for the build tests: an env with the busybox image `bb`, contexts made from a
// map of files, and helpers that build, inspect and run what was built.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { containerEnv, type ContainerEnv } from '../containers/fixtures.js';
import type { RunResult } from '../../helpers/env.js';

export type FileSpec = string | { content?: string; mode?: number; symlink?: string; mtime?: number };

export interface ImageDoc {
  Id: string;
  RepoTags: string[];
  Config: {
    Env?: string[];
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, object>;
    Volumes?: Record<string, object>;
    Labels?: Record<string, string>;
    StopSignal?: string;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
    OnBuild?: string[] | null;
    Shell?: string[];
  };
  Author: string;
  RootFS: { Layers: string[] };
}

export interface BuildEnv extends ContainerEnv {
  /** A fresh context directory holding `files` (paths relative to it). */
  context(files: Record<string, FileSpec>): string;
  /** `skiff build ARGS DIR`, expected to succeed; returns stdout. */
  build(dir: string, args?: string[]): string;
  /** `skiff build`, any outcome. */
  tryBuild(dir: string, args?: string[], input?: string): RunResult;
  inspect(ref: string): ImageDoc;
  /** stdout of `run --rm --network none REF ARGS`. */
  runIn(ref: string, args: string[]): string;
}

export function buildEnv(prefix = 'skiff-build-'): BuildEnv {
  const env = containerEnv(prefix);
  let n = 0;
  const tryBuild = (dir: string, args: string[] = [], input?: string) =>
    env.run(['build', '--network', 'none', ...args, dir], input === undefined ? {} : { input });
  return {
    ...env,
    context(files) {
      const dir = mkdtempSync(join(env.dir, `ctx-${++n}-`));
      for (const [path, spec] of Object.entries(files)) {
        const p = join(dir, path);
        mkdirSync(dirname(p), { recursive: true });
        if (path.endsWith('/')) {
          mkdirSync(p, { recursive: true });
          continue;
        }
        const s = typeof spec === 'string' ? { content: spec } : spec;
        if (s.symlink !== undefined) symlinkSync(s.symlink, p);
        else writeFileSync(p, s.content ?? '');
        if (s.mode !== undefined) chmodSync(p, s.mode);
        if (s.mtime !== undefined) utimesSync(p, s.mtime, s.mtime);
      }
      return dir;
    },
    build(dir, args = []) {
      const r = tryBuild(dir, args);
      assert.equal(r.code, 0, `build ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    },
    tryBuild,
    inspect(ref) {
      return (JSON.parse(env.ok(['image', 'inspect', ref])) as ImageDoc[])[0]!;
    },
    runIn(ref, args) {
      return env.ok(['run', '--rm', '--network', 'none', ref, ...args]);
    },
  };
}

/**
 * One build env for the tests of the enclosing describe block: filled in by its `before`, torn
 * down by its `after`. Use it from the tests and hooks, not while they are being declared.
 */
export function useBuildEnv(): BuildEnv {
  const env = {} as BuildEnv;
  before(() => {
    Object.assign(env, buildEnv());
  });
  after(async () => {
    await env.teardown();
  });
  return env;
}

/** The image id a build printed last. */
export function builtId(stdout: string): string {
  return stdout.trim().split('\n').at(-1)!;
}
