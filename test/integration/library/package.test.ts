// Acceptance of the npm package (issue 21): packed, installed offline into an empty project,
// used from strict TypeScript against its declarations, and run: pull from a loopback
// registry, run a container, read its output, remove it. Every example of docs/library.md runs
// here too, against the installed package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { root, overlay, tool, unmet } from '../../helpers/requires.js';
import { startRegistry, type Registry } from '../registry/fixtures.js';
import { consumerProject, docExamples, installOffline, localPrebuilds, pack, tsc, type Packed } from './fixtures.js';

const skip = unmet(root(), overlay(), tool('runc'), tool('conmon'), tool('docker-registry'), tool('docker'));
let env: TestEnv;
let reg: Registry;
let packed: Packed;
let app: string;
let image: string;
/** The consumer's processes: its own skiff.conf (this env's roots) and the registry's image. */
let runEnv: NodeJS.ProcessEnv;

before(async () => {
  if (skip) return;
  env = makeEnv('skiff-lib-');
  app = join(env.dir, 'app');
  mkdirSync(app);
  packed = pack(join(env.dir, 'pack'));
  consumerProject(app, packed);
  const installSeconds = installOffline(app, localPrebuilds(join(env.dir, 'prebuilds')));
  console.log(`# npm pack: ${packed.seconds.toFixed(0)} s, ${packed.size} bytes; npm ci --offline: ${installSeconds.toFixed(0)} s`);

  reg = await startRegistry(join(env.dir, 'registry'));
  image = `${reg.host}/lib/busybox:1`;
  const tar = makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar'));
  const pushFrom = makeEnv('skiff-lib-src-');
  try {
    for (const args of [['import', '-c', 'CMD ["/bin/sh"]', tar, 'bb:latest'], ['push', 'bb:latest', `docker://${image}`]]) {
      const r = pushFrom.run(args);
      assert.equal(r.code, 0, `skiff ${args.join(' ')}: ${r.stderr}`);
    }
  } finally {
    pushFrom.cleanup();
  }
  const conf = join(env.dir, 'consumer.conf');
  writeFileSync(conf, `[storage]\ndriver = "overlay"\nroot = "${env.root}"\nrunroot = "${env.runroot}"\n`);
  runEnv = { ...process.env, SKIFF_CONFIG: conf, IMAGE: image };
});

after(() => {
  if (skip) return;
  reg?.stop();
  env?.run(['rm', '-af']);
  env?.cleanup();
});

function node(file: string, args: string[] = []) {
  return spawnSync(process.execPath, [file, ...args], { cwd: app, env: runEnv, encoding: 'utf8', timeout: 300_000 });
}

test('the tarball is under 3 MB and holds the bundles, declarations, one CLI tree, conf samples and docs, and no sources, tests, maps or old builds', { skip }, () => {
  assert.ok(packed.size < 3 * 1024 * 1024, `tarball is ${packed.size} bytes`);
  const e = new Set(packed.entries);
  for (const want of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'docs/library.md', 'bin/skiff', 'bin/package.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/cli/cli/main.cjs', 'conf/skiff.conf']) {
    assert.ok(e.has(want), `${want} missing from the package`);
  }
  const stray = packed.entries.filter(
    (p) => /^(src|test|bench|scripts|api-report)\//.test(p) || /^dist\/cli-/.test(p) || /\.map$|\.cache$/.test(p) || (/\.ts$/.test(p) && !p.endsWith('.d.ts')),
  );
  assert.deepEqual(stray, []);
});

test('the installed package resolves `skiff` to its ESM bundle and its declarations, and its CLI runs', { skip }, () => {
  const pkg = JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("skiff/package.json"))'], { cwd: app, encoding: 'utf8' }).stdout);
  assert.equal(pkg.exports['.'].types, './dist/lib/index.d.ts');
  const r = spawnSync(join(app, 'node_modules/.bin/skiff'), ['version', '--format', '{{.Client.Version}}'], { cwd: app, env: runEnv, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('a wrong call against the shipped declarations fails tsc --strict: internals, an unknown option, a wrong argument type', { skip }, () => {
  writeFileSync(
    join(app, 'wrong.ts'),
    [
      "import { createEngine } from 'skiff';",
      'const engine = createEngine();',
      'console.log(engine.ctx);',
      "await engine.containers.run({ imag: 'busybox' });",
      'await engine.images.pull(42);',
      '',
    ].join('\n'),
  );
  const r = tsc(app, 'wrong', ['wrong.ts'], false);
  assert.notEqual(r.status, 0, 'tsc accepted the wrong calls');
  assert.match(r.stdout, /wrong\.ts\(3,\d+\): error TS2339: Property 'ctx' does not exist on type 'Engine'/);
  assert.match(r.stdout, /wrong\.ts\(4,\d+\): error TS2(353|345|561)/);
  assert.match(r.stdout, /wrong\.ts\(5,\d+\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/);
});

test('a strict TypeScript consumer compiles, pulls from a loopback registry, runs a container, reads its output and removes it', { skip }, () => {
  writeFileSync(
    join(app, 'consumer.ts'),
    `import { createEngine, isEngineError, EngineError, ERROR_CODES, type Engine, type ContainerRunResult } from 'skiff';

const engine: Engine = createEngine();
const ref = process.argv[2]!;
const pulled = await engine.images.pull(ref);
const run: ContainerRunResult = await engine.containers.run({ image: ref, command: ['sh', '-c', 'echo hello from the package; echo to stderr >&2'], remove: false });
const listed = (await engine.containers.list({ all: true })).map((c) => c.Id);
await engine.containers.remove(run.id);
let gone = '';
try {
  await engine.containers.inspect(run.id);
} catch (e) {
  if (isEngineError(e) && e instanceof EngineError && ERROR_CODES.includes(e.code)) gone = e.code;
}
console.log(JSON.stringify({
  pulled: pulled.id,
  exitCode: run.exitCode,
  stdout: run.stdout.toString(),
  stderr: run.stderr.toString(),
  listed: listed.includes(run.id),
  gone,
  members: Object.keys(engine),
}));
engine.close();
`,
  );
  const c = tsc(app, 'consumer', ['consumer.ts'], true);
  assert.equal(c.status, 0, `tsc --strict: ${c.stdout}${c.stderr}`);
  const r = node('out/consumer.js', [image]);
  assert.equal(r.status, 0, `consumer: ${r.stdout}${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.match(out.pulled, /^sha256:[0-9a-f]{64}$/);
  assert.equal(out.exitCode, 0);
  assert.equal(out.stdout, 'hello from the package\n');
  assert.equal(out.stderr, 'to stderr\n');
  assert.equal(out.listed, true);
  assert.equal(out.gone, 'NotFound');
  assert.deepEqual(out.members.sort(), ['builder', 'close', 'compose', 'containers', 'events', 'images', 'networks', 'pods', 'system', 'volumes']);
});

const examples = docExamples();

test('docs/library.md has exactly the examples this file runs, and all of them compile under tsc --strict', { skip }, () => {
  assert.deepEqual([...examples.keys()].sort(), ['build', 'events', 'pull', 'run', 'serve']);
  for (const [name, code] of examples) writeFileSync(join(app, `example-${name}.ts`), code);
  const c = tsc(app, 'examples', [...examples.keys()].map((n) => `example-${n}.ts`), true);
  assert.equal(c.status, 0, `tsc --strict: ${c.stdout}${c.stderr}`);
});

test('docs example "pull" pulls the image and prints its layers and platform', { skip }, () => {
  const r = node('out/example-pull.js');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`pulled ${image.replace(/[.:/]/g, '\\$&')} as sha256:[0-9a-f]{64}`));
  assert.match(r.stdout, /: (downloading|exists|done)/);
  assert.match(r.stdout, /^linux\/\w+, 1 layer\(s\)$/m);
});

test('docs example "run" prints the exit code and both streams, then the log lines, then the removal', { skip }, () => {
  const r = node('out/example-run.js');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    'exit 3\nstdout: hello from lib-example\nstderr: oops\nstdout: line 1\nstdout: line 2\nstdout: line 3\nexit 0; removed\n',
  );
});

test('docs example "build" builds from a Dockerfile string and runs the result', { skip }, () => {
  const r = node('out/example-build.js');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^STEP 1\/3: FROM /m);
  assert.match(r.stdout, /^STEP 2\/3: RUN echo "built by skiff" > \/greeting$/m);
  assert.match(r.stdout, /^built sha256:[0-9a-f]{64} as localhost\/greeting:latest$/m);
  assert.match(r.stdout, /^built by skiff$/m);
});

test('docs example "events" follows create, start, die and destroy of its container and ends', { skip }, () => {
  const r = node('out/example-events.js');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  for (const action of ['create', 'start', 'die', 'destroy']) assert.ok(lines.includes(`container ${action} events-example`), `${action} in ${r.stdout}`);
  assert.equal(lines.at(-1), 'container destroy events-example');
});

test('docs example "serve" serves the Docker API: the docker CLI reads its version and runs a container through it, SIGTERM stops it', { skip }, async () => {
  const sock = join(env.dir, 'example.sock');
  const p = spawn(process.execPath, ['out/example-serve.js'], { cwd: app, env: { ...runEnv, SOCKET: sock } });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  try {
    for (let i = 0; i < 300 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, new RegExp(`listening on unix://${sock}`), err);
    const docker = (args: string[]) =>
      spawnSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: join(env.dir, 'docker-config') }, timeout: 120_000 });
    const v = docker(['version', '--format', '{{.Server.Version}}']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout.trim(), JSON.parse(spawnSync(process.execPath, ['-p', 'JSON.stringify(require("skiff/package.json"))'], { cwd: app, encoding: 'utf8' }).stdout).version);
    const run = docker(['run', '--rm', image, 'echo', 'through the library']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'through the library\n');
  } finally {
    p.kill('SIGTERM');
  }
  assert.equal(await exited, 0, err);
  assert.match(out, /stopped\n$/);
});
