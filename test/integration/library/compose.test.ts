// engine.compose from the library: a project brought up (scaled, with its default network),
// listed, and brought down again, with Compose's progress reported through the listener.
// Runs the library from source (src/lib), with its own roots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnv, type TestEnv } from '../../helpers/env.js';
import { makeBusyboxTar } from '../../helpers/busybox.js';
import { root, overlay, tool, unmet } from '../../helpers/requires.js';
import { createEngine, type ComposeProgress, type Engine } from '../../../src/lib/index.js';

const skip = unmet(root(), overlay(), tool('runc'), tool('conmon'), tool('/usr/lib/podman/netavark'));
let env: TestEnv;
let engine: Engine;
let dir: string;

before(() => {
  if (skip) return;
  env = makeEnv('skiff-lib-compose-');
  const r = env.run(['import', '-c', 'CMD ["/bin/sh"]', makeBusyboxTar(env.dir, join(env.dir, 'busybox.tar')), 'bb:latest']);
  assert.equal(r.code, 0, r.stderr);
  const conf = join(env.dir, 'lib.conf');
  writeFileSync(conf, `[storage]\ndriver = "overlay"\nroot = "${env.root}"\nrunroot = "${env.runroot}"\n`);
  engine = createEngine({ configFile: conf });
  dir = join(env.dir, 'project');
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), 'name: libdemo\nservices:\n  web:\n    image: bb:latest\n    command: ["sleep", "300"]\n    stop_signal: SIGKILL\n');
});

after(() => {
  if (skip) return;
  engine?.close();
  env?.run(['rm', '-af']);
  env?.run(['network', 'rm', '-f', 'libdemo_default']);
  env?.cleanup();
});

test('compose up starts the scaled services and reports Compose progress; ps lists them; down removes them and the network', { skip }, async () => {
  const progress: ComposeProgress[] = [];
  await engine.compose.up({ projectDirectory: dir, scale: { web: 2 }, onProgress: (e) => progress.push(e) });
  assert.ok(progress.some((p) => p.kind === 'Network' && p.name === 'libdemo_default' && p.status === 'Created'), JSON.stringify(progress));
  assert.ok(progress.some((p) => p.kind === 'Container' && p.name === 'libdemo-web-2' && p.status === 'Started'), JSON.stringify(progress));
  const ps = await engine.compose.ps({ projectDirectory: dir });
  assert.deepEqual(ps.map((c) => [c.name, c.service, c.number, c.state]), [['libdemo-web-1', 'web', 1, 'running'], ['libdemo-web-2', 'web', 2, 'running']]);
  // Found by its labels alone, as `compose down -p` finds a project without its file.
  await engine.compose.down({ projectName: 'libdemo', projectDirectory: join(env.dir, 'elsewhere'), timeout: 0 });
  assert.deepEqual(await engine.containers.list({ all: true }), []);
  assert.deepEqual((await engine.networks.list({ name: ['libdemo_default'] })).map((n) => n.Name), []);
});
