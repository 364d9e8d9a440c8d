// Dockerfiles with the tricky syntax (escape directive, continuations, heredocs, substitution
// modifiers, JSON-vs-shell fallback, ARG scoping), checked on what the built image holds.
// Where Docker's builder and Buildah disagree, skiff does what Docker's builder does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useBuildEnv } from './fixtures.js';

describe('build: Dockerfile syntax', () => {
  const env = useBuildEnv();

  test('escape directive: backtick continues lines, backslashes are literal', () => {
    const dir = env.context({
      Dockerfile: '# escape=`\nFROM bb\nENV WINPATH=C:\\dir\\sub\nRUN echo one `\n    two > /out\nLABEL path=c:\\x\n',
    });
    env.build(dir, ['-t', 'esc1']);
    const img = env.inspect('esc1');
    assert.ok(img.Config.Env?.includes('WINPATH=C:\\dir\\sub'), JSON.stringify(img.Config.Env));
    assert.equal(img.Config.Labels?.path, 'c:\\x');
    assert.equal(env.runIn('esc1', ['cat', '/out']), 'one two\n');
  });

  test('a directive after the first instruction is a comment; only the first escape counts', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\n# escape=`\nRUN echo a \\\n  b > /out\n' });
    env.build(dir, ['-t', 'esc2']);
    assert.equal(env.runIn('esc2', ['cat', '/out']), 'a b\n');
  });

  test('continuations: comment lines and empty lines inside; a trailing escape at end of file', () => {
    const dir = env.context({
      Dockerfile: 'FROM bb\nRUN echo first \\\n# a comment inside\n\n    second > /out\nRUN echo last > /last \\',
    });
    const r = env.tryBuild(dir, ['-t', 'cont1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(env.runIn('cont1', ['cat', '/out', '/last']), 'first second\nlast\n');
  });

  test('heredocs: RUN script, <<- strips tabs, quoted delimiter, several in one RUN, #! interpreter', () => {
    const dir = env.context({
      Dockerfile: [
        'FROM bb',
        'ENV WHO=world',
        'RUN <<EOF',
        'echo "hello $WHO" > /h1',
        'echo second line >> /h1',
        'EOF',
        'RUN cat <<-EOT > /h2',
        '\tindented',
        '\t\ttwice',
        '\tEOT',
        "RUN cat <<'EOF' > /h3",
        'literal $WHO',
        'EOF',
        'RUN cat <<A > /h4 && cat <<B >> /h4',
        'from a',
        'A',
        'from b',
        'B',
        'RUN <<EOF',
        '#!/bin/sh -e',
        'echo "script $0" > /h5',
        'EOF',
        'COPY <<EOF /h6',
        'copied $WHO',
        'EOF',
        "COPY <<'EOF' /h7",
        'kept $WHO',
        'EOF',
        '',
      ].join('\n'),
    });
    env.build(dir, ['-t', 'heredoc1']);
    const cat = (f: string) => env.runIn('heredoc1', ['cat', f]);
    assert.equal(cat('/h1'), 'hello world\nsecond line\n');
    // <<- strips every leading tab, as the shell does.
    assert.equal(cat('/h2'), 'indented\ntwice\n');
    assert.equal(cat('/h3'), 'literal $WHO\n');
    assert.equal(cat('/h4'), 'from a\nfrom b\n');
    assert.match(cat('/h5'), /^script \S+\n$/);
    assert.equal(cat('/h6'), 'copied world\n');
    assert.equal(cat('/h7'), 'kept $WHO\n');
  });

  test('substitution modifiers (BuildKit\'s `${x-w}`/`${x+w}` under a # syntax= line) and escaping in ENV, LABEL, WORKDIR, COPY', () => {
    const dir = env.context({
      Dockerfile: [
        '# syntax=docker/dockerfile:1',
        'FROM bb',
        'ARG SET=value',
        'ARG EMPTY=',
        'ENV A=${SET:-default} B=${UNSET:-default} C=${EMPTY:-default} D=${EMPTY-default}',
        'ENV E=${SET:+alt} F=${UNSET:+alt} G=${EMPTY:+alt} H=${EMPTY+alt}',
        'LABEL esc=\\$SET braces=${SET}x plain=$SET quoted="$SET with space" single=\'$SET\'',
        'WORKDIR /w/${SET}',
        'COPY ${SET}.txt ./',
        '',
      ].join('\n'),
      'value.txt': 'v\n',
    });
    env.build(dir, ['-t', 'subst1']);
    const img = env.inspect('subst1');
    const e = Object.fromEntries((img.Config.Env ?? []).map((x) => x.split(/=(.*)/s).slice(0, 2) as [string, string]));
    assert.deepEqual([e.A, e.B, e.C, e.D], ['value', 'default', 'default', '']);
    assert.deepEqual([e.E, e.F, e.G, e.H], ['alt', '', '', 'alt']);
    assert.deepEqual(img.Config.Labels, { esc: '$SET', braces: 'valuex', plain: 'value', quoted: 'value with space', single: '$SET' });
    assert.equal(img.Config.WorkingDir, '/w/value');
    assert.equal(env.runIn('subst1', ['cat', '/w/value/value.txt']), 'v\n');
  });

  test('JSON form when the array is valid JSON, the shell form otherwise', () => {
    const dir = env.context({
      Dockerfile: "FROM bb\nCMD [\"echo\", 'not json']\nENTRYPOINT [\"/bin/sh\", \"-c\"]\nRUN [\"sh\", \"-c\", \"echo $0 > /exec\"]\nRUN [echo, broken] || echo fallback > /fallback\n",
    });
    env.build(dir, ['-t', 'json1']);
    const img = env.inspect('json1');
    assert.deepEqual(img.Config.Cmd, ['/bin/sh', '-c', `["echo", 'not json']`]);
    assert.deepEqual(img.Config.Entrypoint, ['/bin/sh', '-c']);
    // The image's entrypoint is `sh -c`: the command goes as one argument.
    assert.equal(env.runIn('json1', ['cat /exec /fallback']), 'sh\nfallback\n');
  });

  test('ARG scoping: global ARGs in FROM, re-declared to enter a stage, per-stage ARGs, ENV wins over ARG', () => {
    const dir = env.context({
      Dockerfile: [
        'ARG BASE=bb',
        'ARG GLOBAL=g-default',
        'FROM $BASE AS first',
        'RUN echo "[$GLOBAL]" > /not-declared',
        'ARG GLOBAL',
        'RUN echo "[$GLOBAL]" > /declared',
        'ARG LOCAL=l1',
        'ENV LOCAL=from-env',
        'RUN echo "[$LOCAL]" > /env-wins',
        'FROM ${BASE}',
        'COPY --from=first /not-declared /declared /env-wins /',
        'RUN echo "[$LOCAL]" > /other-stage',
        'ARG TARGETARCH',
        'RUN echo "[$TARGETARCH]" > /platform',
        '',
      ].join('\n'),
    });
    env.build(dir, ['-t', 'argscope1', '--build-arg', 'GLOBAL=g-given']);
    const cat = (f: string) => env.runIn('argscope1', ['cat', f]);
    assert.equal(cat('/not-declared'), '[]\n');
    assert.equal(cat('/declared'), '[g-given]\n');
    assert.equal(cat('/env-wins'), '[from-env]\n');
    assert.equal(cat('/other-stage'), '[]\n');
    assert.match(cat('/platform'), /^\[(amd64|arm64|arm|386|s390x|ppc64le)\]\n$/);
  });

  test('parse errors name the file and line', () => {
    const dir = env.context({ Dockerfile: 'FROM bb\nRUN true\nNOTANINSTRUCTION x\n' });
    const r = env.tryBuild(dir);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Dockerfile:3/);
    const dir2 = env.context({ Dockerfile: 'FROM bb\nENV A=${B\n' });
    const r2 = env.tryBuild(dir2);
    assert.equal(r2.code, 125);
    assert.match(r2.stderr, /Dockerfile:2/);
  });
});
