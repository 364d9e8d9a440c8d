// An image built by skiff runs under podman (via save/load) with the same output and config,
// in both image formats.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildEnv, builtId, type BuildEnv } from './fixtures.js';
import { podmanPeer } from '../../helpers/podman.js';
import { tool, unmet } from '../../helpers/requires.js';

const skip = unmet(tool('podman'));

const DOCKERFILE = `FROM bb AS build
COPY greeting.txt /src/
RUN mkdir /out && tr a-z A-Z < /src/greeting.txt > /out/loud && printf '#!/bin/sh\\ncat /opt/loud\\necho "user=$(id -u) dir=$(pwd) env=$APP_ENV"\\n' > /out/run && chmod 755 /out/run
FROM bb
ENV APP_ENV=production
COPY --from=build /out/loud /opt/loud
COPY --from=build /out/run /usr/local/bin/run
WORKDIR /srv
USER nobody
LABEL org.example.kind=demo
CMD ["run"]
`;

describe('build: images built by skiff run under podman', { skip }, () => {
  let env: BuildEnv;
  let podmanArgs: string[];
  let penv: NodeJS.ProcessEnv;
  before(() => {
    env = buildEnv();
    ({ args: podmanArgs, env: penv } = podmanPeer(env.dir));
  });
  after(async () => {
    if (podmanArgs) spawnSync('podman', [...podmanArgs, 'system', 'reset', '-f'], { env: penv, stdio: 'ignore' });
    await env.teardown();
  });

  const podman = (args: string[]) => execFileSync('podman', [...podmanArgs, ...args], { encoding: 'utf8', env: penv, stdio: ['ignore', 'pipe', 'pipe'] });

  for (const format of ['oci', 'docker'] as const) {
    test(`--format ${format}: save, podman load, podman run gives skiff's output`, () => {
      const dir = env.context({ Dockerfile: DOCKERFILE, 'greeting.txt': 'hello from the build\n' });
      const tag = `localhost/built:${format}`;
      const id = builtId(env.build(dir, ['-t', tag, '--format', format]));
      const expected = 'HELLO FROM THE BUILD\nuser=65534 dir=/srv env=production\n';
      assert.equal(env.ok(['run', '--rm', '--network', 'none', tag]), expected);
      const file = join(env.dir, `built-${format}.tar`);
      env.ok(['save', '-o', file, tag]);
      podman(['load', '-i', file]);
      assert.equal(podman(['image', 'inspect', '--format', '{{.Id}}', tag]).trim(), id, 'same image id in podman');
      assert.equal(podman(['run', '--rm', '--network', 'none', tag]), expected);
      const cfg = JSON.parse(podman(['image', 'inspect', '--format', '{{json .Config}}', tag])) as { User?: string; WorkingDir?: string; Labels?: Record<string, string> };
      assert.equal(cfg.User, 'nobody');
      assert.equal(cfg.WorkingDir, '/srv');
      assert.equal(cfg.Labels?.['org.example.kind'], 'demo');
    });
  }
});
