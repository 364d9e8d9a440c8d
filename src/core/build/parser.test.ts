import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../errdefs.js';
import type { Dockerfile, Instruction } from './ast.js';
import { parseDockerfile } from './parser.js';

const parse = (...lines: string[]) => parseDockerfile(lines.join('\n') + '\n');
/** All instructions of all stages, FROM included, in file order. */
const all = (df: Dockerfile): Instruction[] => df.stages.flatMap((s) => [s.from, ...s.instructions]);
const only = (...lines: string[]) => parse('FROM scratch', ...lines).stages[0]!.instructions;
/** The instruction type carrying kind K (CmdInstruction for 'ENTRYPOINT', and so on). */
type Of<K, I = Instruction> = I extends { kind: infer KK } ? (K extends KK ? I : never) : never;
const one = <K extends Instruction['kind']>(kind: K, ...lines: string[]) => {
  const ins = only(...lines);
  assert.equal(ins.length, 1, `one instruction from ${JSON.stringify(lines)}`);
  assert.equal(ins[0]!.kind, kind);
  return ins[0] as Of<K>;
};
const fails = (re: RegExp, ...lines: string[]) =>
  assert.throws(() => parse(...lines), (e: unknown) => isEngineError(e, 'InvalidArgument') && re.test((e as Error).message));

test('directives: escape backtick (Windows style), syntax and check; any case, spaces allowed', () => {
  const df = parse('# SYNTAX = docker/dockerfile:1.7', '#escape=`', '# check=skip=all', 'FROM busybox', 'COPY testfile.txt c:\\', 'RUN dir c:\\');
  assert.deepEqual(df.directives, { syntax: 'docker/dockerfile:1.7', escape: '`', check: 'skip=all' });
  const [copy, run] = df.stages[0]!.instructions;
  assert.deepEqual(copy && copy.kind === 'COPY' && [copy.sources, copy.dest], [['testfile.txt'], 'c:\\']);
  assert.deepEqual(run && run.kind === 'RUN' && run.cmd, { form: 'shell', command: 'dir c:\\' });
});

test('directives: the same file without the directive continues lines, and a trailing escape at EOF just ends it', () => {
  const df = parse('FROM busybox', 'COPY testfile.txt c:\\', 'RUN dir c:\\');
  const copy = df.stages[0]!.instructions[0]!;
  assert.equal(copy.kind, 'COPY');
  assert.equal(copy.original, 'COPY testfile.txt c:RUN dir c:');
  assert.deepEqual(copy.kind === 'COPY' && [copy.sources, copy.dest], [['testfile.txt', 'c:RUN', 'dir'], 'c:']);
  // Backtick escape: same at EOF, and without a final newline.
  const bt = parseDockerfile('# escape=`\nFROM x\nRUN echo a `');
  assert.deepEqual(bt.stages[0]!.instructions[0]!.kind === 'RUN' && bt.stages[0]!.instructions[0]!.cmd, { form: 'shell', command: 'echo a' });
});

test('directives: only at the very top — after a comment, a blank line or an instruction they are comments', () => {
  for (const head of [['# about this file', '# escape=`'], ['', '# escape=`'], ['# unknown=x', '# escape=`']]) {
    const df = parse(...head, 'FROM x', 'RUN a `', 'USER b');
    assert.equal(df.directives.escape, '\\', JSON.stringify(head));
    assert.equal(df.stages[0]!.instructions.length, 2);
  }
  const late = parse('FROM x', '# escape=`', 'RUN a \\', '  b');
  assert.equal(late.directives.escape, '\\');
  assert.deepEqual(late.stages[0]!.instructions[0]!.kind === 'RUN' && late.stages[0]!.instructions[0]!.cmd, { form: 'shell', command: 'a   b' });
  fails(/^Dockerfile:2: only one escape parser directive can be used$/, '# escape=\\', '# escape=`', 'FROM x');
  fails(/^Dockerfile:1: invalid escape token '\/' does not match ` or \\$/, '# escape=/', 'FROM x');
});

test('continuations: comment lines dropped, blank lines skipped with a warning, CRLF and BOM accepted', () => {
  const df = parse('FROM x', 'RUN echo hello \\', '# a comment', '    # an indented one', '    world \\', '', '    again', 'USER me');
  const [run, user] = df.stages[0]!.instructions;
  assert.deepEqual(run!.kind === 'RUN' && run!.cmd, { form: 'shell', command: 'echo hello     world     again' });
  assert.deepEqual([run!.line, run!.endLine, user!.line], [2, 7, 8]);
  assert.deepEqual(df.warnings.map((w) => w.line), [2]);
  const crlf = parseDockerfile('\uFEFFFROM x\r\nRUN a \\\r\n  b\r\n');
  assert.deepEqual(crlf.stages[0]!.instructions[0]!.kind === 'RUN' && crlf.stages[0]!.instructions[0]!.cmd, { form: 'shell', command: 'a   b' });
  // An escaped escape is not a continuation; `#` inside a line is text.
  const esc = only('RUN echo a\\\\', 'RUN echo # not a comment');
  assert.deepEqual(esc.map((i) => i.kind === 'RUN' && i.cmd), [
    { form: 'shell', command: 'echo a\\\\' },
    { form: 'shell', command: 'echo # not a comment' },
  ]);
});

test('JSON vs shell form: invalid JSON falls back to shell form, trailing text after the array is ignored', () => {
  const cmd = (s: string) => one('CMD', s).cmd;
  assert.deepEqual(cmd(`CMD [ "a", 'b' ]`), { form: 'shell', command: `[ "a", 'b' ]` });
  assert.deepEqual(cmd('CMD ["a", "b c"]'), { form: 'exec', args: ['a', 'b c'] });
  assert.deepEqual(cmd('CMD [ "a" "b" ]'), { form: 'shell', command: '[ "a" "b" ]' });
  assert.deepEqual(cmd('CMD ["a\\ b"]'), { form: 'shell', command: '["a\\ b"]' });
  assert.deepEqual(cmd('CMD ["echo", "\\u00e9"] && more'), { form: 'exec', args: ['echo', 'é'] });
  assert.deepEqual(one('RUN', 'RUN ["ls"],').cmd, { form: 'exec', args: ['ls'] });
  assert.deepEqual(one('RUN', 'RUN []').cmd, { form: 'exec', args: [] });
  assert.deepEqual(one('ENTRYPOINT', 'ENTRYPOINT').cmd, { form: 'exec', args: [] });
  assert.deepEqual(one('VOLUME', 'VOLUME ["/a", "/b c"]').values, ['/a', '/b c']);
  assert.deepEqual(one('VOLUME', 'VOLUME /a  /b').values, ['/a', '/b']);
  assert.deepEqual(one('SHELL', 'SHELL ["powershell", "-command"]').args, ['powershell', '-command']);
  fails(/^Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only$/, 'FROM x', 'CMD ["a", 1]');
  fails(/^Dockerfile:2: SHELL requires the arguments to be in JSON form$/, 'FROM x', 'SHELL sh -c');
  fails(/^Dockerfile:2: SHELL requires at least one argument$/, 'FROM x', 'SHELL []');
});

test('heredocs: <<EOF, <<-EOF (tabs stripped), quoted delimiters (no expansion), several per instruction', () => {
  const [a, b, c, d, e] = only(
    'RUN <<EOF',
    'echo "$HOME"',
    'EOF',
    'RUN <<-EOT bash',
    '\techo b',
    '\t\tnested',
    '\tEOT',
    `RUN python3 <<'PY' > out && cat <<"X"`,
    'print(1)',
    'PY',
    'x $y',
    'X',
    'COPY --chmod=755 <<EOF <<E"O"F2 /usr/bin/',
    '#!/bin/sh',
    'EOF',
    'two',
    'EOF2',
    'RUN ["echo", "<<EOF"]',
  );
  assert.ok(a?.kind === 'RUN' && b?.kind === 'RUN' && c?.kind === 'RUN' && d?.kind === 'COPY' && e?.kind === 'RUN');
  assert.deepEqual(a.cmd, { form: 'shell', command: '<<EOF' });
  assert.deepEqual(a.heredocs, [{ name: 'EOF', content: 'echo "$HOME"\n', chomp: false, expand: true }]);
  assert.deepEqual([a.line, a.endLine], [2, 4]);
  assert.deepEqual(b.heredocs, [{ name: 'EOT', content: 'echo b\nnested\n', chomp: true, expand: true }]);
  assert.deepEqual(b.cmd, { form: 'shell', command: '<<-EOT bash' });
  assert.deepEqual(c.heredocs, [
    { name: 'PY', content: 'print(1)\n', chomp: false, expand: false },
    { name: 'X', content: 'x $y\n', chomp: false, expand: false },
  ]);
  assert.deepEqual([d.sources, d.dest, d.chmod], [[], '/usr/bin/', '755']);
  assert.deepEqual(d.heredocs.map((h) => [h.name, h.content, h.expand]), [['EOF', '#!/bin/sh\n', true], ['EOF2', 'two\n', false]]);
  assert.deepEqual([e.cmd, e.heredocs, e.line], [{ form: 'exec', args: ['echo', '<<EOF'] }, [], 19]);
  // Heredocs only for RUN/COPY/ADD: on CMD the marker is plain text.
  assert.deepEqual(one('CMD', 'CMD cat <<EOF').cmd, { form: 'shell', command: 'cat <<EOF' });
  // COPY mixing files and a heredoc.
  const mix = one('COPY', 'COPY a.txt <<EOF b.txt /dst/', 'hi', 'EOF');
  assert.deepEqual([mix.sources, mix.heredocs.map((h) => h.name)], [['a.txt', 'b.txt'], ['EOF']]);
  fails(/^Dockerfile:2: unterminated heredoc$/, 'FROM x', 'RUN <<EOF', 'echo');
  fails(/^Dockerfile:2: COPY cannot accept a heredoc as a destination$/, 'FROM x', 'COPY a <<EOF', 'x', 'EOF');
});

test('flags: typed per instruction, raw kept, repeatable --mount/--exclude, BuildKit messages for bad ones', () => {
  const copy = one('COPY', 'COPY --from=build --chown=1:2 --chmod=644 --link --parents --exclude=*.md --exclude=x a "b" /c/');
  assert.deepEqual(
    [copy.from, copy.chown, copy.chmod, copy.link, copy.parents, copy.exclude, copy.sources, copy.dest],
    ['build', '1:2', '644', true, true, ['*.md', 'x'], ['a', '"b"'], '/c/'],
  );
  assert.deepEqual(copy.flags, { from: ['build'], chown: ['1:2'], chmod: ['644'], link: [''], parents: [''], exclude: ['*.md', 'x'] });
  assert.equal(one('COPY', 'COPY --link=false a b').link, false);
  const add = one('ADD', 'ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tgz /');
  assert.deepEqual([add.checksum, add.keepGitDir, add.unpack, add.sources], ['sha256:abc', true, false, ['https://x/y.tgz']]);
  assert.equal(one('ADD', 'ADD a.tar /').unpack, undefined);
  const from = parse('FROM --platform=$BUILDPLATFORM golang:1 AS Build').stages[0]!;
  assert.deepEqual([from.name, from.from.image, from.from.platform, from.from.as], ['build', 'golang:1', '$BUILDPLATFORM', 'Build']);
  // A quoted flag value keeps its blanks; `--` ends the flags.
  assert.deepEqual(one('COPY', 'COPY --chown="a b" -- --x /y').sources, ['--x']);
  fails(/^Dockerfile:2: unknown flag: foo$/, 'FROM x', 'COPY --foo=bar a b');
  fails(/^Dockerfile:2: missing a value on flag: from$/, 'FROM x', 'COPY --from a b');
  fails(/^Dockerfile:2: duplicate flag specified: from$/, 'FROM x', 'COPY --from=a --from=b a b');
  fails(/^Dockerfile:2: expecting boolean value for flag link, not: maybe$/, 'FROM x', 'COPY --link=maybe a b');
  fails(/^Dockerfile:2: unknown flag: x$/, 'FROM x', 'WORKDIR --x /a');
  fails(/^Dockerfile:2: unknown flag: from$/, 'FROM x', 'ADD --from=x a b');
});

test('RUN --mount: CSV with defaults (bind read-only, cache/tmpfs writable), secrets, network', () => {
  const run = one(
    'RUN',
    'RUN --mount=type=cache,target=/root/.cache,sharing=locked,id=go,mode=0755,uid=1 --mount=type=secret,id=tok,required \\',
    '    --mount=target=/src,from=build,source=/out --mount=type=tmpfs,dst=/t,size=64m --mount=\'type=bind,"target=/a,b",rw=true\' \\',
    '    --mount=type=secret,id=aws,env=AWS_KEY --network=none --security=insecure make',
  );
  const strip = run.mounts.map(({ raw: _raw, ...m }) => m);
  assert.deepEqual(strip, [
    { type: 'cache', target: '/root/.cache', sharing: 'locked', id: 'go', mode: 0o755, uid: 1, readonly: false, required: false },
    { type: 'secret', id: 'tok', readonly: true, required: true },
    { type: 'bind', target: '/src', from: 'build', source: '/out', readonly: true, required: false },
    { type: 'tmpfs', target: '/t', size: 64 * 1024 * 1024, readonly: false, required: false },
    { type: 'bind', target: '/a,b', readonly: false, required: false },
    { type: 'secret', id: 'aws', env: 'AWS_KEY', readonly: true, required: false },
  ]);
  assert.equal(run.mounts[0]!.raw, 'type=cache,target=/root/.cache,sharing=locked,id=go,mode=0755,uid=1');
  assert.deepEqual([run.network, run.security, run.cmd], ['none', 'insecure', { form: 'shell', command: 'make' }]);
  // `$` values wait for the builder (parseMount with an expander); `from` never expands.
  assert.equal(one('RUN', 'RUN --mount=type=cache,target=$HOME/.cache,uid=$UID x').mounts[0]!.target, '$HOME/.cache');
  fails(/'from' doesn't support variable expansion/, 'FROM x', 'RUN --mount=from=$STAGE,target=/x x');
  fails(/unsupported mount type "nfs"/, 'FROM x', 'RUN --mount=type=nfs,target=/x x');
  fails(/uid not allowed for "bind" type mounts/, 'FROM x', 'RUN --mount=target=/x,uid=1 x');
  fails(/unexpected key 'required' for mount type 'cache'/, 'FROM x', 'RUN --mount=type=cache,required,target=/x x');
  fails(/unexpected key 'bogus' in 'bogus=1'/, 'FROM x', 'RUN --mount=target=/x,bogus=1 x');
  fails(/invalid cache sharing set for bind mount/, 'FROM x', 'RUN --mount=target=/x,sharing=locked x');
});

test('ENV and LABEL: legacy `k v` and `k=v` forms, quotes kept raw for expansion', () => {
  assert.deepEqual(one('ENV', 'ENV a b  c').pairs, [{ key: 'a', value: 'b  c' }]);
  assert.deepEqual(one('ENV', 'ENV a=1 b="x y" c=z\\ w d=').pairs, [
    { key: 'a', value: '1' },
    { key: 'b', value: '"x y"' },
    { key: 'c', value: 'z\\ w' },
    { key: 'd', value: '' },
  ]);
  assert.deepEqual(one('LABEL', 'LABEL "com.example.vendor"="ACME Inc" version=1.0').pairs, [
    { key: '"com.example.vendor"', value: '"ACME Inc"' },
    { key: 'version', value: '1.0' },
  ]);
  // With the backtick escape, `" does not close the quote.
  const bt = parseDockerfile('# escape=`\nFROM x\nENV a="x`" y" b=c\n').stages[0]!.instructions[0]!;
  assert.deepEqual(bt.kind === 'ENV' && bt.pairs, [{ key: 'a', value: '"x`" y"' }, { key: 'b', value: 'c' }]);
  fails(/^Dockerfile:2: ENV must have two arguments$/, 'FROM x', 'ENV a');
  fails(/^Dockerfile:2: Syntax error - can't find = in "b". Must be of the form: name=value$/, 'FROM x', 'ENV a=1 b');
  fails(/^Dockerfile:2: LABEL names can not be blank$/, 'FROM x', 'LABEL =x');
  fails(/^Dockerfile:2: ENV requires at least one argument$/, 'FROM x', 'ENV');
});

test('ARG: global ARGs before FROM, several per line, defaults kept raw', () => {
  const df = parse('ARG A=1 B', 'ARG C="x y"', 'FROM busybox:${A}', 'ARG B', 'RUN echo $B');
  assert.deepEqual(df.globalArgs.map((a) => a.args), [[{ name: 'A', default: '1' }, { name: 'B' }], [{ name: 'C', default: '"x y"' }]]);
  assert.deepEqual(df.stages[0]!.from.image, 'busybox:${A}');
  const arg = df.stages[0]!.instructions[0]!;
  assert.deepEqual(arg.kind === 'ARG' && arg.args, [{ name: 'B' }]);
  fails(/^Dockerfile:1: ARG names can not be blank$/, 'ARG =1', 'FROM x');
});

test('ONBUILD: nested instruction parsed, expression kept as written (with heredoc bodies)', () => {
  const [a, b] = only('onbuild add --chown=1 . /app/src', 'ONBUILD RUN <<EOF', 'echo hi', 'EOF');
  assert.ok(a?.kind === 'ONBUILD' && b?.kind === 'ONBUILD');
  assert.equal(a.expression, 'add --chown=1 . /app/src');
  assert.deepEqual(a.trigger.kind === 'ADD' && [a.trigger.sources, a.trigger.dest, a.trigger.chown], [['.'], '/app/src', '1']);
  assert.equal(b.expression, 'RUN <<EOF\necho hi\nEOF');
  assert.deepEqual(b.trigger.kind === 'RUN' && b.trigger.heredocs.map((h) => h.content), ['echo hi\n']);
  fails(/^Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed$/, 'FROM x', 'ONBUILD ONBUILD RUN x');
  fails(/^Dockerfile:2: FROM isn't allowed as an ONBUILD trigger$/, 'FROM x', 'ONBUILD FROM y');
  fails(/^Dockerfile:2: unknown instruction: BOGUS$/, 'FROM x', 'ONBUILD BOGUS y');
});

test('HEALTHCHECK: NONE, CMD shell/exec, options as nanoseconds', () => {
  const h = one('HEALTHCHECK', 'HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s --start-interval=500ms --retries=3 CMD curl -f http://x/ || exit 1');
  assert.deepEqual(h.test === 'CMD' && [h.cmd, h.interval, h.timeout, h.startPeriod, h.startInterval, h.retries], [
    { form: 'shell', command: 'curl -f http://x/ || exit 1' },
    30e9,
    90e9,
    1.5e9,
    5e8,
    3,
  ]);
  const e = one('HEALTHCHECK', 'healthcheck cmd ["true"]');
  assert.deepEqual(e.test === 'CMD' && [e.cmd, e.interval], [{ form: 'exec', args: ['true'] }, undefined]);
  assert.equal(one('HEALTHCHECK', 'HEALTHCHECK none').test, 'NONE');
  fails(/HEALTHCHECK NONE takes no arguments/, 'FROM x', 'HEALTHCHECK NONE x');
  fails(/Unknown type "FOO" in HEALTHCHECK \(try CMD\)/, 'FROM x', 'HEALTHCHECK FOO x');
  fails(/Missing command after HEALTHCHECK CMD/, 'FROM x', 'HEALTHCHECK CMD');
  fails(/--retries must be at least 1 \(not 0\)/, 'FROM x', 'HEALTHCHECK --retries=0 CMD x');
  fails(/time: unknown unit "x" in duration "1x"/, 'FROM x', 'HEALTHCHECK --interval=1x CMD x');
  fails(/Interval "timeout" cannot be less than 1ms/, 'FROM x', 'HEALTHCHECK --timeout=10us CMD x');
});

test('simple instructions: EXPOSE, USER, WORKDIR, STOPSIGNAL, MAINTAINER keep the raw rest', () => {
  const [expose, user, workdir, sig, maint] = only('EXPOSE 80/tcp  $PORT', 'USER app:app', 'WORKDIR /a b', 'STOPSIGNAL SIGKILL', 'MAINTAINER Me <me@x>');
  assert.deepEqual(expose!.kind === 'EXPOSE' && expose!.values, ['80/tcp', '$PORT']);
  assert.deepEqual([user, workdir, sig, maint].map((i) => i && 'value' in i && i.value), ['app:app', '/a b', 'SIGKILL', 'Me <me@x>']);
  fails(/^Dockerfile:2: WORKDIR requires exactly one argument$/, 'FROM x', 'WORKDIR');
  fails(/^Dockerfile:2: EXPOSE requires at least one argument$/, 'FROM x', 'EXPOSE');
});

test('stages: names lower-cased, indexes, instructions grouped; case-insensitive instruction words', () => {
  const df = parse('from busybox as B', 'run echo 1', 'FROM b', 'Copy --from=B /x /y');
  assert.deepEqual(df.stages.map((s) => [s.index, s.name, s.from.image, s.instructions.map((i) => i.kind)]), [
    [0, 'b', 'busybox', ['RUN']],
    [1, undefined, 'b', ['COPY']],
  ]);
  assert.deepEqual(all(df).map((i) => i.line), [1, 2, 3, 4]);
});

test('errors name the file and line', () => {
  assert.throws(() => parseDockerfile('FROM x\nRUN a \\\n  b\nFOO bar\n'), /^EngineError: Dockerfile:4: unknown instruction: FOO$/);
  assert.throws(() => parseDockerfile('FROM x\nfoo\n', { filename: 'Containerfile' }), /^EngineError: Containerfile:2: unknown instruction: foo$/);
  fails(/^Dockerfile:1: file with no instructions$/, '# just a comment');
  fails(/^Dockerfile:1: file with no instructions$/, '');
  fails(/^Dockerfile:1: dockerfile contains no stages to build$/, 'ARG A=1');
  fails(/^Dockerfile:2: no build stage in current context$/, 'ARG A', 'RUN x', 'FROM y');
  fails(/^Dockerfile:1: FROM requires either one or three arguments$/, 'FROM a b');
  fails(/^Dockerfile:1: invalid name for build stage: "1st", name can't start with a number or contain symbols$/, 'FROM a AS 1st');
  fails(/^Dockerfile:2: duplicate stage name "a"$/, 'FROM x AS a', 'FROM y AS A');
  fails(/^Dockerfile:2: RUN requires at least one argument$/, 'FROM x', 'RUN');
  fails(/^Dockerfile:2: COPY requires at least two arguments/, 'FROM x', 'COPY a');
});
