// Issue 15, points 1, 6, 7 and 8: what the built image's config and history say, and how a
// build fails, side by side with dockerd 20.10's classic builder (a private dockerd, DOCKER_BUILDKIT=0).
// Each Dockerfile goes through the docker CLI to dockerd, the docker CLI to skiff's API service,
// and skiff's own CLI. The base image `bb` (busybox, no Env) is the same on both sides
// (`skiff save` loaded into dockerd).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMAGE, apiEnv, type ApiEnv } from '../api/fixtures.js';
import { removeTree, type RunResult } from '../../helpers/env.js';
import { dockerdNeeds, startDockerd, type Dockerd } from '../../helpers/dockerd.js';
import { root, tool, unmet } from '../../helpers/requires.js';

const skip = unmet(root(), tool('/usr/sbin/runc'), tool('/usr/bin/conmon'), ...dockerdNeeds());
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let skiff: ApiEnv;
let dockerd: Dockerd;
let dockerdDir: string;
let n = 0;

before(async () => {
  if (skip) return;
  skiff = await apiEnv('skiff-fid-config-');
  dockerdDir = mkdtempSync(join(tmpdir(), 'skiff-fid-config-dockerd-'));
  dockerd = await startDockerd(dockerdDir);
  const archive = join(skiff.dir, 'image.tar');
  skiff.ok(['save', '-o', archive, IMAGE]);
  dockerd.load(archive);
});

after(async () => {
  try {
    await dockerd?.stop();
  } finally {
    if (dockerdDir) removeTree(dockerdDir);
    await skiff?.stop();
  }
});

function context(dockerfile: string): string {
  const dir = join(skiff.dir, `ctx-${++n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

interface Sides {
  dockerd: RunResult;
  /** The docker CLI against skiff's API service. */
  service: RunResult;
  /** skiff's own CLI. */
  cli: RunResult;
}

/** The same build on the three fronts; `tag` names the image on each side. */
function buildAll(dockerfile: string, args: string[] = [], tag?: string): Sides {
  const dir = context(dockerfile);
  const t = tag ? ['-t', tag] : [];
  return {
    dockerd: dockerd.docker(['build', ...t, ...args, dir], { timeoutMs: 120_000 }),
    service: skiff.docker(['build', ...t, ...args, dir], { timeoutMs: 120_000 }),
    cli: skiff.run(['build', '--network', 'none', ...t, ...args, dir]),
  };
}

function assertBuilt(s: Sides): void {
  for (const [side, r] of Object.entries(s)) assert.equal(r.code, 0, `${side}: exited ${r.code}\n${r.stdout}\n${r.stderr}`);
}

/** The docker CLI's last line about the failure (it prints the daemon's error last). */
function errorLine(r: RunResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n').filter((l) => l.trim()).at(-1) ?? '';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inspectDockerd = (ref: string): any => JSON.parse(dockerd.dockerOk(['image', 'inspect', ref]))[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inspectService = (ref: string): any => JSON.parse(skiff.dockerOk(['image', 'inspect', ref]))[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const inspectCli = (ref: string): any => JSON.parse(skiff.ok(['image', 'inspect', ref]))[0];

test('a base without PATH: every stage (FROM scratch too) starts with Docker\'s default PATH, so ENV PATH=/app/bin:$PATH keeps it, as dockerd', { skip }, () => {
  const cases = [
    { tag: 'path-env', df: `FROM ${IMAGE}\nENV PATH=/app/bin:$PATH\nRUN ls / > /dev/null && echo "$PATH" > /path\n` },
    { tag: 'path-scratch', df: 'FROM scratch\nENV X=1\n' },
    { tag: 'path-stages', df: `FROM ${IMAGE} AS one\nLABEL x=y\nFROM one\nENV A=1\n` },
  ];
  for (const c of cases) {
    const s = buildAll(c.df, [], c.tag);
    assertBuilt(s);
    const want = inspectDockerd(c.tag).Config.Env;
    assert.deepEqual(inspectService(c.tag).Config.Env, want, `${c.tag} through skiff's service`);
    assert.deepEqual(inspectCli(c.tag).Config.Env, want, `${c.tag} through skiff's CLI`);
  }
  assert.deepEqual(inspectDockerd('path-env').Config.Env, [`PATH=/app/bin:${DEFAULT_PATH.slice(5)}`]);
  assert.equal(skiff.ok(['run', '--rm', '--network', 'none', 'path-env', 'cat', '/path']), `/app/bin:${DEFAULT_PATH.slice(5)}\n`);
  // FROM alone builds nothing new: the base image itself, PATH-less, on both.
  const bare = buildAll(`FROM ${IMAGE}\n`, [], 'path-bare');
  assertBuilt(bare);
  assert.equal(inspectDockerd('path-bare').Id, inspectDockerd(IMAGE).Id);
  assert.equal(inspectCli('path-bare').Id, inspectCli(IMAGE).Id);
});

test('validation as dockerd: unknown STOPSIGNAL, HEALTHCHECK durations of 0s and under 1ms, ${VAR-x} and ${VAR+x} fail with its words and exit code', { skip }, () => {
  const bad = [
    `FROM ${IMAGE}\nSTOPSIGNAL FOO\n`,
    `FROM ${IMAGE}\nSTOPSIGNAL 0\n`,
    `FROM ${IMAGE}\nHEALTHCHECK --interval=0s CMD true\n`,
    `FROM ${IMAGE}\nHEALTHCHECK --timeout=500us CMD true\n`,
    `FROM ${IMAGE}\nENV A=\${B-x}\n`,
    `FROM ${IMAGE}\nLABEL a=\${B+x}\n`,
  ];
  for (const df of bad) {
    const s = buildAll(df);
    assert.notEqual(s.dockerd.code, 0, `dockerd built ${df}`);
    assert.equal(s.service.code, s.dockerd.code, `${df}: ${s.service.stderr}`);
    assert.equal(errorLine(s.service), errorLine(s.dockerd), df);
    assert.equal(s.cli.code, 125, `${df}: ${s.cli.stderr}`);
  }
  assert.equal(errorLine(buildAll(bad[0]!).dockerd), 'Invalid signal: FOO');
  // What dockerd takes, skiff takes.
  for (const sig of ['9', 'sigkill', 'SIGRTMIN+3', 'RTMAX-14']) assertBuilt(buildAll(`FROM ${IMAGE}\nSTOPSIGNAL ${sig}\nHEALTHCHECK --interval=1ms CMD true\n`));
});

test('a # syntax= line opts into BuildKit\'s ${VAR-x} and ${VAR+x} in skiff (dockerd 20.10 refuses them even then)', { skip }, () => {
  const df = `# syntax=docker/dockerfile:1\nFROM ${IMAGE}\nENV A=\${UNSET-dash}\nENV B=\${A+plus}\n`;
  const s = buildAll(df, [], 'syntax-bk');
  assert.equal(errorLine(s.dockerd), 'failed to process "${UNSET-dash}": missing \':\' in substitution');
  assert.equal(s.service.code, 0, s.service.stderr);
  assert.equal(s.cli.code, 0, s.cli.stderr);
  assert.ok(inspectCli('syntax-bk').Config.Env.includes('A=dash'));
  assert.ok(inspectCli('syntax-bk').Config.Env.includes('B=plus'));
});

test('a failing RUN: dockerd\'s "The command ... returned a non-zero code: N" arrives through skiff\'s service and the docker CLI exits N', { skip }, () => {
  for (const df of [`FROM ${IMAGE}\nRUN exit 3\n`, `FROM ${IMAGE}\nSHELL ["/bin/sh", "-ec"]\nRUN ["/bin/sh", "-c", "exit 4"]\n`]) {
    const s = buildAll(df);
    const code = df.includes('exit 3') ? 3 : 4;
    assert.equal(s.dockerd.code, code);
    assert.equal(errorLine(s.dockerd), `The command '/bin/sh -c exit ${code}' returned a non-zero code: ${code}`);
    assert.equal(s.service.code, code, s.service.stderr);
    assert.equal(errorLine(s.service), errorLine(s.dockerd));
    assert.equal(s.cli.code, code);
    assert.ok(s.cli.stderr.includes(`The command '/bin/sh -c exit ${code}' returned a non-zero code: ${code}`), s.cli.stderr);
  }
});

test('a missing --target fails with "failed to reach build target X in Dockerfile"; a parse error exits 1 through the docker CLI and 125 through skiff', { skip }, () => {
  const t = buildAll(`FROM ${IMAGE}\nLABEL a=b\n`, ['--target', 'nope']);
  assert.equal(t.dockerd.code, 1);
  assert.equal(errorLine(t.dockerd), 'Error response from daemon: failed to reach build target nope in Dockerfile');
  assert.equal(t.service.code, 1);
  assert.equal(errorLine(t.service), errorLine(t.dockerd));
  assert.equal(t.cli.code, 125);
  assert.match(t.cli.stderr, /^Error: failed to reach build target nope in Dockerfile$/m);
  const p = buildAll(`FROM ${IMAGE}\nBOGUS x\n`);
  assert.equal(p.dockerd.code, 1);
  assert.equal(p.service.code, 1);
  assert.equal(errorLine(p.service), errorLine(p.dockerd));
  assert.equal(p.cli.code, 125);
});

const HISTORY_DOCKERFILE = `FROM ${IMAGE}
LABEL a=b
ENV X=1
SHELL ["/bin/sh", "-ec"]
RUN echo run1
ENV Y=2
LABEL c="d e"
WORKDIR /w
CMD echo hi
ENTRYPOINT ["/bin/sh"]
EXPOSE 80 443/udp
USER root
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=1m30s --retries=3 CMD true
ARG Z=3
RUN echo run2
VOLUME /v /u
ONBUILD RUN true
MAINTAINER someone
`;

test('history and labels: --label adds one LABEL step per key in key order, #(nop) lines carry the current SHELL, as dockerd writes them', { skip }, () => {
  const s = buildAll(HISTORY_DOCKERFILE, ['--label', 'z=last', '--label', 'k=v w'], 'hist');
  assertBuilt(s);
  const fmt = ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'hist'];
  const want = dockerd.dockerOk(fmt).split('\n');
  assert.equal(want[0], '/bin/sh -ec #(nop)  LABEL z=last');
  assert.deepEqual(skiff.dockerOk(fmt).split('\n'), want, "skiff's service");
  assert.deepEqual(skiff.ok(fmt).split('\n'), want, "skiff's CLI");
  const config = inspectDockerd('hist').Config;
  for (const [side, doc] of [['service', inspectService('hist')], ['cli', inspectCli('hist')]] as const) {
    for (const key of ['Env', 'Labels', 'Shell', 'Cmd', 'Entrypoint', 'ExposedPorts', 'Volumes', 'User', 'StopSignal', 'Healthcheck', 'OnBuild', 'WorkingDir']) {
      assert.deepEqual(doc.Config[key], config[key], `${side}: Config.${key}`);
    }
  }
  assert.deepEqual(config.Labels, { a: 'b', c: 'd e', k: 'v w', z: 'last' });
  // The steps the docker CLI shows count the labels, as dockerd's do.
  const steps = (r: RunResult) => r.stdout.split('\n').filter((l) => l.startsWith('Step '));
  assert.deepEqual(steps(s.service), steps(s.dockerd));
});
