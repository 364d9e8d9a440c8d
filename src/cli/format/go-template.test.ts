import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goMap, parseTemplate, renderTemplate, TemplateError } from './go-template.js';
import { isEngineError } from '../../core/errdefs.js';

/**
 * Shaped like `docker context inspect`'s data so that every row of GO_CASES can be checked
 * against Go itself: `docker context inspect --format '<template>'` prints the expected text.
 */
const ctx = {
  Name: 'default',
  Endpoints: goMap({ docker: { Host: 'unix:///var/run/docker.sock', SkipTLSVerify: false } }),
  TLSMaterial: goMap({}),
  Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' },
};

/** [template, what Go prints]; an expected value starting with "ERR " is an error message. */
export const GO_CASES: readonly (readonly [string, string])[] = [
  // text, trim markers, comments
  ['a  {{- "b" -}}  c {{- /* comment */ -}} d  {{/* c2 */}} e', 'abcd   e'],
  ['{{ .Name }} {{ .Name}}{{.Name }}', 'default defaultdefault'],
  ['{{-3}}|{{- 3}}|{{3 -}}|', '-3|3|3|'],
  ['x\n  {{- .Name -}}\n  y', 'xdefaulty'],
  // fields, maps, missing keys
  ['{{.Name}}|{{.Endpoints.docker.Host}}|{{.Storage.TLSPath}}', 'default|unix:///var/run/docker.sock|<IN MEMORY>'],
  ['{{.Endpoints.nope}}|{{index .Endpoints "nope"}}|{{.Endpoints.nope.x}}', '<no value>|<no value>|<no value>'],
  ['{{print .Endpoints.nope}}|{{printf "%v|%s|%d" .Endpoints.nope .Endpoints.nope .Endpoints.nope}}', '<nil>|<nil>|%!s(<nil>)|%!d(<nil>)'],
  ['{{.TLSMaterial}}|{{if .TLSMaterial}}y{{else}}n{{end}}|{{len .Endpoints}}', 'map[]|n|1'],
  ['{{.Foo}}', 'ERR template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type struct'],
  ['{{.Name.Foo}}', 'ERR template: :1:7: executing "" at <.Name.Foo>: can\'t evaluate field Foo in type string'],
  ['{{.Name 3}}', 'ERR template: :1:2: executing "" at <.Name>: Name has arguments but cannot be invoked as function'],
  ['{{.Endpoints.docker.SkipTLSVerify.X}}', "ERR template: :1:12: executing \"\" at <.Endpoints.docker.SkipTLSVerify.X>: can't evaluate field X in type bool"],
  ['{{$x := .Storage}}{{$x.TLSPath.X}}', 'ERR template: :1:22: executing "" at <$x.TLSPath.X>: can\'t evaluate field X in type string'],
  ['{{(.Storage).TLSPath.X}}', 'ERR template: :1:3: executing "" at <.Storage>: can\'t evaluate field X in type string'],
  // variables
  ['{{$x := 1}}{{$x}}{{$x = 2}}{{$x}}', '12'],
  ['{{$a := 1}}{{if true}}{{$a = 2}}{{$b := 3}}{{end}}{{$a}}', '2'],
  ['{{if true}}{{$b := 3}}{{end}}{{$b}}', 'ERR template: :1: undefined variable "$b"'],
  ['{{$x := "a"}}{{with $x := "b"}}{{$x}}{{end}}{{$x}}', 'ba'],
  ['{{$.Name}}{{range split "a,b" ","}}{{$.Name}}{{.}}{{end}}', 'defaultdefaultadefaultb'],
  ['{{with $h := .Endpoints.docker.Host}}{{$h}}{{end}}', 'unix:///var/run/docker.sock'],
  // if / else if / with / range
  ['{{if eq 1 2}}a{{else if eq 2 2}}b{{else}}c{{end}}|{{if false}}a{{else if false}}b{{else}}c{{end}}', 'b|c'],
  [
    '{{if .Endpoints.docker.SkipTLSVerify}}a{{else if .TLSMaterial}}b{{else if eq .Name "default"}}c{{else}}d{{end}}',
    'c',
  ],
  ['{{with .Endpoints.docker}}{{.Host}}{{end}}|{{with .Endpoints.nope}}x{{else}}none{{end}}', 'unix:///var/run/docker.sock|none'],
  ['{{with 0}}a{{else with 1}}b{{.}}{{end}}', 'b1'],
  ['{{range $k, $v := .Endpoints}}{{$k}}={{$v.Host}};{{end}}', 'docker=unix:///var/run/docker.sock;'],
  ['{{range $i, $e := split "a,b,c" ","}}{{$i}}={{$e}} {{end}}', '0=a 1=b 2=c '],
  ['{{range $i := split "x,y" ","}}{{$i}}{{end}}', 'xy'],
  ['{{range .TLSMaterial}}x{{else}}empty{{end}}|{{range .Endpoints.nope}}x{{else}}none{{end}}', 'empty|none'],
  ['{{range 3}}{{.}}{{end}}', '012'],
  ['{{range $i, $e := split "a,b,c,d" ","}}{{if eq $i 1}}{{continue}}{{end}}{{if eq $i 3}}{{break}}{{end}}{{$e}}{{end}}', 'ac'],
  ['{{range .Name}}x{{end}}', 'ERR template: :1:8: executing "" at <.Name>: range can\'t iterate over default'],
  ['{{range $i, $e := 3}}x{{end}}', 'ERR template: :1:18: executing "" at <3>: can\'t use 3 to iterate over more than one variable'],
  // templates
  ['{{define "x"}}X{{.}}{{end}}{{template "x" 5}}', 'X5'],
  ['{{define "t"}}<{{.}}>{{end}}{{range split "a,b" ","}}{{template "t" .}}{{end}}', '<a><b>'],
  ['{{block "blk" .Name}}[{{.}}]{{end}}', '[default]'],
  ['{{template "x"}}', 'ERR template: :1:11: executing "" at <{{template "x"}}>: template "x" not defined'],
  // pipelines, parentheses, literals
  ['{{"x" | printf "%s-%s" "a"}}|{{.Name | printf "%q" | len}}', 'a-x|9'],
  ['{{(len .Name) | printf "%03d"}}|{{(index .Endpoints "docker").Host}}', '007|unix:///var/run/docker.sock'],
  ["{{'a'}}|{{0x1F}}|{{0o17}}|{{017}}|{{1_000}}|{{-5}}|{{+3}}|{{.5}}|{{\"\\u00e9\\x41\\101\\t\"}}|{{`raw\\n`}}", '97|31|15|15|1000|-5|3|0.5|éAA\t|raw\\n'],
  ['{{"a"}}{{1}}{{true}}{{1.5}}', 'a1true1.5'],
  // comparisons and logic
  ['{{eq "a" "b" "a"}}|{{ne 1 2}}|{{lt 1 2}}|{{le 2 2}}|{{gt "b" "a"}}|{{ge 1 2}}', 'true|true|true|true|true|false'],
  ['{{and 1 0 "x"}}|{{or 0 "" "y"}}|{{and 1 2}}|{{or 0 ""}}|{{not 0}}|{{not "a"}}', '0|y|2||true|false'],
  ['{{and false .Nope}}|{{or true .Nope}}', 'false|true'],
  ['{{eq .Endpoints.nope "x"}}', 'false'],
  ['{{eq .Name 1}}', 'ERR template: :1:2: executing "" at <eq .Name 1>: error calling eq: incompatible types for comparison'],
  ['{{lt true false}}', 'ERR template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison'],
  // len index slice
  ['{{len "héllo"}}|{{len (split "a,b" ",")}}|{{index (split "a,b" ",") 1}}|{{slice (split "a,b,c" ",") 1}}', '6|2|b|[b c]'],
  ['{{slice "hello" 1 3}}{{index "abc" 1}}|{{slice .Endpoints.docker.Host 0 4}}', 'el98|unix'],
  ['{{index (split "a,b" ",") 5}}', 'ERR template: :1:2: executing "" at <index (split "a,b" ",") 5>: error calling index: index out of range: 5'],
  ['{{len 3}}', 'ERR template: :1:2: executing "" at <len 3>: error calling len: len of type int'],
  // print family
  ['{{print 1.5 2 "x" true nil}}|{{println 1 "a"}}|{{print "a" "b" 1 2 "c"}}', '1.5 2xtrue <nil>|1 a\n|ab1 2c'],
  [
    '{{printf "%6.2f|%-8q|%+d|%05d|%x|%X|%o|%b|%c|%U|%e|%g|%08.3f|%t" 3.14159 "hi" 5 -42 "hi" 255 8 5 65 65 123456.789 0.00001234 -3.14159 true}}',
    '  3.14|"hi"    |+5|-0042|6869|FF|10|101|A|U+0041|1.234568e+05|1.234e-05|-003.142|true',
  ],
  ['{{printf "%-10s|%10s|%.1s" "abc" "é" "日本"}}', 'abc       |         é|日'],
  ['{{printf "%s %d" "a"}}|{{printf "%s" "a" "b"}}|{{printf "%[2]s %[1]s" "a" "b"}}', 'a %!d(MISSING)|a%!(EXTRA string=b)|b a'],
  ['{{printf "%*d|%-*d|" 5 1 4 2}}|{{printf "%.2s|%5.1s|" "abc" "xyz"}}', '    1|2   ||ab|    x|'],
  ['{{printf "%d" 3.5}}|{{printf "%s" 3}}|{{printf "%v" (split "a,b" ",")}}|{{printf "%q" (split "a,b" ",")}}', '%!d(float64=3.5)|%!s(int=3)|[a b]|["a" "b"]'],
  ['{{printf "%.3g|%.3g|%.4g|%.0f|%.0f|%.2f|%.1f" 1.125 1125.0 4.096 2.5 3.5 0.125 0.05}}', '1.12|1.12e+03|4.096|2|4|0.12|0.1'],
  ['{{printf "%5t|%-5t|%5v|%05s|%.0d|%6.3d|%+.2e|% d|%x" true false nil "ab" 0 7 12345.678 5 -255}}', ' true|false|<nil>|000ab||   007|+1.23e+04| 5|-ff'],
  ['{{printf "%v %v %v %v" 1.5e21 123456789.5 0.0001 0.00001}}', '1.5e+21 1.234567895e+08 0.0001 1e-05'],
  ['{{html "<a&b>\\"x\'"}}|{{urlquery "a b&c=d/é!*()~"}}', '&lt;a&amp;b&gt;&#34;x&#39;|a+b%26c%3Dd%2F%C3%A9%21%2A%28%29~'],
  // docker's functions
  ['{{json .Endpoints}}', '{"docker":{"Host":"unix:///var/run/docker.sock","SkipTLSVerify":false}}'],
  ['{{json "a<b>&"}}|{{json 1.5}}|{{json (split "a,b" ",")}}|{{json .Endpoints.nope}}|{{json nil}}', '"a<b>&"|1.5|["a","b"]|null|null'],
  ['{{join (split "a,b" ",") "-"}}|{{join .Endpoints.nope ","}}', 'a-b|'],
  ['{{split "abc" ""}}|{{split "" ","}}|{{len (split "" ",")}}', '[a b c]|[]|1'],
  ['{{truncate "abcdef" 3}}|{{pad "ab" 1 2}}|{{title "hello wORLD-x_y"}}|{{lower "ABC"}}{{upper "abc"}}', 'abc| ab  |Hello WORLD-X_y|abcABC'],
  ['{{join .Name ","}}', 'ERR template: :1:7: executing "" at <.Name>: wrong type for value; expected []string; got string'],
  ['{{upper 3}}', 'ERR template: :1:8: executing "" at <3>: expected string; found 3'],
  // parse errors
  ['{{if}}{{end}}', 'ERR template: :1: missing value for if'],
  ['{{end}}', 'ERR template: :1: unexpected {{end}}'],
  ['{{if 1}}x', 'ERR template: :1: unexpected EOF'],
  ['{{.Name', 'ERR template: :1: unclosed action'],
  ['{{"unterminated}}', 'ERR template: :1: unterminated quoted string'],
  ['{{.Name | foo}}', 'ERR template: :1: function "foo" not defined'],
  ['{{"a" | 3}}', 'ERR template: :1: non executable command in pipeline stage 2'],
  ['{{nil}}', 'ERR template: :1:2: executing "" at <nil>: nil is not a command'],
  ['{{1 2}}', 'ERR template: :1:2: executing "" at <1>: can\'t give argument to non-function 1'],
  ['{{break}}', 'ERR template: :1: {{break}} outside {{range}}'],
  ['{{printf}}', 'ERR template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0'],
  ['{{not 1 2}}', 'ERR template: :1:2: executing "" at <not>: wrong number of args for not: want 1 got 2'],
];

/** The output, or "ERR " and the message of a TemplateError. */
function run(tpl: string, data: unknown): string {
  try {
    return renderTemplate(tpl, data);
  } catch (e) {
    if (e instanceof TemplateError) return 'ERR ' + e.message;
    throw e;
  }
}

test('Go text/template semantics, as Go prints them', () => {
  for (const [tpl, want] of GO_CASES) assert.equal(run(tpl, ctx), want, tpl);
});

test('errors are TemplateErrors and invalid-argument engine errors', () => {
  assert.throws(() => parseTemplate('{{.A'), (e) => e instanceof TemplateError && isEngineError(e, 'InvalidArgument'));
  assert.throws(() => renderTemplate('{{.Nope}}', { ID: 'x' }), /can't evaluate field Nope/);
});

test('trim markers need a space; a bare minus is a number', () => {
  assert.equal(run('a {{- 1 -}} b', ctx), 'a1b');
  assert.equal(run('a {{-1}} b', ctx), 'a -1 b');
  assert.equal(run('a\n\t {{- /* gone */ -}} \n b', ctx), 'ab');
});

test('range over a map visits keys in sorted order', () => {
  const labels = goMap({ zeta: '1', alpha: '2', mid: '3' });
  assert.equal(run('{{range $k, $v := .}}{{$k}}={{$v}} {{end}}', labels), 'alpha=2 mid=3 zeta=1 ');
  const byNumber = new Map([[10, 'x'], [9, 'y'], [100, 'z']]);
  assert.equal(run('{{range $k, $v := .}}{{$k}}{{$v}},{{end}}', byNumber), '9y,10x,100z,');
  assert.equal(run('{{.}}', goMap({ b: [1, 2], a: { c: 'd' } })), 'map[a:map[c:d] b:[1 2]]');
});

test('values print as Go prints them', () => {
  assert.equal(run('{{.}}', ['a', 'b', 'c']), '[a b c]');
  assert.equal(run('{{.}}', [1, null, true]), '[1 <nil> true]');
  assert.equal(run('{{.}}', null), '<nil>');
  assert.equal(run('{{.}}', undefined), '<no value>');
  assert.equal(run('{{.}}', 12345678901234), '12345678901234');
  assert.equal(run('{{.}}', 0.1), '0.1');
  assert.equal(run('{{.}}', 1e-7), '1e-07');
  assert.equal(run('{{.}}', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 120))), '2024-01-02 03:04:05.12 +0000 UTC');
});

test('plain objects with capitalised keys are structs, others maps', () => {
  const item = { ID: 'abc', Names: ['web', 'db'], Labels: { 'com.example.team': 'core', maintainer: 'me' } };
  assert.equal(run('{{.ID}} {{join .Names ","}} {{index .Labels "com.example.team"}}', item), 'abc web,db core');
  assert.equal(run('{{.Labels.maintainer}}|{{.Labels.nope}}|{{index .Labels "nope"}}|', item), 'me|<no value>||');
  assert.throws(() => renderTemplate('{{.Size}}', item), /at <\.Size>: can't evaluate field Size in type struct/);
  // goMap() forces map semantics on capitalised keys
  assert.equal(run('{{.Labels.Missing}}', { Labels: goMap({ Maintainer: 'x' }) }), '<no value>');
  assert.equal(run('{{.Missing}}', new Map([['Present', 1]])), '<no value>');
});

test('class instances: getters and methods are fields, methods take arguments', () => {
  class Ctx {
    constructor(private readonly id: string) {}
    get ID(): string {
      return this.id.slice(0, 3);
    }
    Short(n: number): string {
      return this.id.slice(0, n);
    }
    Fail(): string {
      throw new Error('boom');
    }
  }
  const c = new Ctx('abcdef');
  assert.equal(run('{{.ID}} {{.Short 2}} {{4 | .Short}}', c), 'abc ab abcd');
  assert.throws(() => renderTemplate('{{.Nope}}', c), /can't evaluate field Nope in type \*Ctx/);
  assert.throws(() => renderTemplate('{{.Fail}}', c), /at <\.Fail>: error calling Fail: boom/);
  assert.throws(() => renderTemplate('{{.toString}}', { A: 1 }), /can't evaluate field toString/);
});

test('null fields are nil: printing is fine, descending is an error', () => {
  assert.equal(run('{{.State}}', { State: null }), '<nil>');
  assert.throws(() => renderTemplate('{{.State.Status}}', { State: null }), /nil pointer evaluating interface \{\}\.Status/);
});

test('lenient execution reads every object as a map, as docker inspect does', () => {
  const t = parseTemplate('{{.Config.Nope}}|{{.Nope.Deeper}}');
  assert.equal(t.execute({ Config: { Image: 'x' } }, { lenientFields: true }), '<no value>|<no value>');
  assert.throws(() => t.execute({ Config: { Image: 'x' } }));
});

test('json encodes nested values compactly without HTML escaping', () => {
  const v = { Name: 'a<b>', Ports: [{ Private: 80, Public: null }], Labels: new Map([['z', '1'], ['a', '2']]), Up: true };
  assert.equal(run('{{json .}}', v), '{"Name":"a<b>","Ports":[{"Private":80,"Public":null}],"Labels":{"a":"2","z":"1"},"Up":true}');
  assert.equal(run('{{json .When}}', { When: new Date(Date.UTC(2024, 0, 2)) }), '"2024-01-02T00:00:00Z"');
  assert.equal(run('{{json .S}}', { S: 'line\u2028sep' }), '"line\\u2028sep"');
});

test('custom functions take precedence and get plain values', () => {
  const t = parseTemplate('{{shout .Name}}|{{upper .Name}}', { funcs: { shout: (s) => String(s).toUpperCase() + '!', upper: () => 'mine' } });
  assert.equal(t.execute({ Name: 'web' }), 'WEB!|mine');
});

test('a parsed template runs many times and keeps no state between runs', () => {
  const t = parseTemplate('{{$n := .}}{{range split "a,b" ","}}{{$n}}{{.}}{{end}}');
  assert.equal(t.execute('x'), 'xaxb');
  assert.equal(t.execute('y'), 'yayb');
});

test('errors are located by line and byte column', () => {
  assert.throws(() => renderTemplate('line one\n  {{.Nope}}', { A: 1 }), /^TemplateError: template: :2:4: executing "" at <\.Nope>/);
  assert.throws(() => renderTemplate('{{.Nope}}', { A: 1 }, { name: 'ps' }), /template: ps:1:2: executing "ps" at <\.Nope>/);
  assert.throws(() => parseTemplate('a\n{{if}}'), /template: :2: missing value for if/);
});

test('header mode prints each column header and passes docker functions through', () => {
  const t = parseTemplate('{{.ID}}\t{{upper .Image}}\t{{json .Labels}}\t{{.Size}}{{if .Current}} *{{end}}');
  assert.equal(t.executeHeader({ ID: 'CONTAINER ID', Image: 'IMAGE', Labels: 'LABELS' }), 'CONTAINER ID\tIMAGE\tLABELS\tSIZE');
  // an error ends the header where it happened, as docker's does
  assert.equal(parseTemplate('{{.A}}|{{range .B}}x{{end}}|{{.C}}').executeHeader({ B: 'BEES' }), 'A|');
  // a field without header text is false in conditions, as docker's missing header key is
  assert.equal(parseTemplate('{{.A}}|{{range .B}}x{{end}}|{{.C}}').executeHeader({}), 'A||C');
});
