// Fault injection (crash-scenarios.ts): `import` and `pull` killed midway; the next import or pull works (5 points).
import { test, before, after } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGE } from '../containers/fixtures.js';
import { netEnv, type NetEnv } from '../network/fixtures.js';
import { startRegistry, type Registry } from '../registry/fixtures.js';
import { crash, nextCommandsWork, pruneAndCheck, type Scenario } from './crash-scenarios.js';

let env: NetEnv;
let reg: Registry;

before(async () => {
  env = netEnv('skiff-cimg-');
  reg = await startRegistry(mkdtempSync(join(env.dir, 'registry-')));
  env.ok(['push', `${IMAGE}:latest`, `docker://${reg.host}/crash/bb:1`]);
});
after(async () => {
  reg?.stop();
  await env.teardownNet();
});

test('import and pull killed at each step; the next import or pull works', () => {
  const scenarios: Scenario[] = [
    ...['import:ingested', 'import:layer', 'import:committed'].map((point) => ({ args: ['import', env.tar, 'imp'], point })),
    ...['pull:config', 'pull:layers'].map((point) => ({ args: ['pull', `${reg.host}/crash/bb:1`], point })),
  ];
  for (const s of scenarios) {
    crash(env, s);
    nextCommandsWork(env, s);
    env.ok(s.args);
    env.ok(['rmi', s.args.at(-1)!]);
  }
  pruneAndCheck(env, 'import and pull');
});
