// Multi-stage builds: a small shell program built in one stage with busybox tools and shipped
// in another; only the stages the target needs are built; COPY --from a stage, an index, an image.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBuildEnv } from './fixtures.js';

const PROGRAM = `#!/bin/sh
greet_line() { echo "hello $1 from greet @VERSION@"; }
if [ "$1" = "--selftest" ]; then
  [ "$(greet_line x)" = "hello x from greet @VERSION@" ] && echo selftest ok && exit 0
  exit 1
fi
greet_line "\${1:-nobody}"
`;

// The "compiler" is sed; the self-test runs the result before it is shipped.
const DOCKERFILE = `FROM bb AS build
ARG VERSION=0.0.0
COPY src/ /src/
RUN mkdir -p /out \\
 && sed "s/@VERSION@/$VERSION/g" /src/greet.sh.in > /out/greet \\
 && chmod 755 /out/greet \\
 && PATH=/out:$PATH greet --selftest

FROM bb AS broken
RUN echo this stage is not needed && exit 1

FROM bb AS test
COPY --from=build /out/greet /usr/local/bin/greet
RUN greet --selftest > /selftest

FROM bb
COPY --from=0 /out/greet /usr/local/bin/
ENTRYPOINT ["greet"]
CMD ["world"]
`;

describe('build: multi-stage', () => {
  const env = useBuildEnv();

  test('a program built in one stage runs from the final image; unneeded stages are not built', () => {
    const dir = env.context({ Dockerfile: DOCKERFILE, 'src/greet.sh.in': PROGRAM });
    const out = env.build(dir, ['-t', 'greet:1', '--build-arg', 'VERSION=1.2.3']);
    assert.match(out, /^\[1\/4\] STEP 1\/4: FROM bb AS build$/m);
    assert.match(out, /selftest ok/);
    assert.doesNotMatch(out, /not needed/);
    assert.doesNotMatch(out, /\[2\/4\]|\[3\/4\]/);
    assert.match(out, /^\[4\/4\] COMMIT greet:1$/m);
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'greet:1']), 'hello world from greet 1.2.3\n');
    assert.equal(env.ok(['run', '--rm', '--network', 'none', 'greet:1', 'skiff']), 'hello skiff from greet 1.2.3\n');
    const img = env.inspect('greet:1');
    assert.deepEqual(img.Config.Entrypoint, ['greet']);
    // busybox's layer and the COPY: nothing of the build stage.
    assert.equal(img.RootFS.Layers.length, 2);
  });

  test('--target builds that stage and what it needs', () => {
    const dir = env.context({ Dockerfile: DOCKERFILE, 'src/greet.sh.in': PROGRAM });
    const out = env.build(dir, ['-t', 'greet:test', '--target', 'test']);
    assert.doesNotMatch(out, /not needed/);
    assert.equal(env.runIn('greet:test', ['cat', '/selftest']), 'selftest ok\n');
    const r = env.tryBuild(dir, ['--target', 'nosuchstage']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /nosuchstage/);
  });

  test('FROM an earlier stage continues from it; COPY --from an image by name', () => {
    const dir = env.context({
      Dockerfile: 'FROM bb AS base\nENV FROM_BASE=1\nRUN echo base > /base\nFROM base\nRUN cat /base > /derived\nCOPY --from=greet:1 /usr/local/bin/greet /greet\n',
    });
    env.build(dir, ['-t', 'derived']);
    assert.equal(env.runIn('derived', ['cat', '/derived']), 'base\n');
    assert.ok(env.inspect('derived').Config.Env?.includes('FROM_BASE=1'));
    assert.equal(env.runIn('derived', ['/greet', 'x']), 'hello x from greet 1.2.3\n');
  });
});
