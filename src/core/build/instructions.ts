/**
 * @module build/instructions
 * One logical line (continuations joined, heredoc bodies read) → one typed instruction, with
 * the argument rules and messages of BuildKit's frontend/dockerfile/instructions/parse.go.
 */
import type {
  CommandForm,
  EscapeChar,
  Heredoc,
  Instruction,
  KeyValue,
} from './ast.js';
import { parseFlags, parseGoDuration, type FlagSpec } from './flags.js';
import { parseMount } from './mount.js';
import {
  LineError,
  extractFlags,
  parseHeredocMarker,
  parseJsonArray,
  parseWords,
  splitInstruction,
  splitWhitespace,
} from './words.js';

/** Heredoc with the body as written too (ONBUILD stores it unchomped). */
export interface ReadHeredoc extends Heredoc {
  rawContent: string;
}

export interface LineInput {
  text: string;
  line: number;
  endLine: number;
  escape: EscapeChar;
  heredocs: ReadHeredoc[];
}

const HEREDOC_KINDS = new Set(['RUN', 'COPY', 'ADD']);

const FLAGS: Record<string, FlagSpec> = {
  FROM: { platform: 'string' },
  RUN: { mount: 'strings', network: 'string', security: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'strings' },
  ADD: {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    exclude: 'strings',
    checksum: 'string',
    'keep-git-dir': 'bool',
    unpack: 'bool',
  },
  HEALTHCHECK: {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  },
};

export const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/**
 * Whether heredoc markers on this line introduce bodies: RUN/COPY/ADD (also as an ONBUILD
 * trigger) in shell form only.
 */
export function takesHeredocs(text: string): boolean {
  let { cmd, rest } = splitInstruction(text);
  if (cmd.toUpperCase() === 'ONBUILD') ({ cmd, rest } = splitInstruction(extractFlags(rest).rest));
  if (!HEREDOC_KINDS.has(cmd.toUpperCase())) return false;
  try {
    return parseJsonArray(extractFlags(rest).rest) === undefined;
  } catch {
    return false;
  }
}

function commandForm(rest: string): CommandForm {
  const args = parseJsonArray(rest);
  return args ? { form: 'exec', args } : { form: 'shell', command: rest };
}

function keyValues(kind: string, rest: string, escape: EscapeChar): KeyValue[] {
  const words = parseWords(rest, escape);
  if (words.length === 0) throw new LineError(`${kind} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    // Legacy `ENV key value with spaces`: the value is the raw rest of the line.
    const m = /[\t\v\f\r ]+/.exec(rest);
    if (!m) throw new LineError(`${kind} must have two arguments`);
    return [{ key: rest.slice(0, m.index), value: rest.slice(m.index + m[0].length) }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw new LineError(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) throw new LineError(`${kind} names can not be blank`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

function duration(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const d = parseGoDuration(value);
  // 0s too: dockerd 20.10's classic builder refuses it (BuildKit's later frontends read it as the default).
  if (d < 1e6) throw new LineError(`Interval "${name}" cannot be less than 1ms`);
  return d;
}

export function parseInstruction(input: LineInput): Instruction {
  const { text, escape } = input;
  const { cmd, rest: afterCmd } = splitInstruction(text);
  const kind = cmd.toUpperCase();
  if (!KNOWN.has(kind)) throw new LineError(`unknown instruction: ${cmd}`);
  const { flags: flagWords, rest } = extractFlags(afterCmd);
  const fl = parseFlags(flagWords, FLAGS[kind] ?? {});
  const base = { line: input.line, endLine: input.endLine, original: text.trim(), flags: fl.raw };
  const heredocs: Heredoc[] = input.heredocs.map(({ rawContent: _r, ...h }) => h);
  const atLeastOne = () => new LineError(`${kind} requires at least one argument`);
  const exactlyOne = () => new LineError(`${kind} requires exactly one argument`);

  switch (kind) {
    case 'FROM': {
      const args = splitWhitespace(rest);
      let as: string | undefined;
      if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
        as = args[2]!;
        if (!/^[a-z][a-z0-9-_.]*$/.test(as.toLowerCase())) {
          throw new LineError(`invalid name for build stage: "${as}", name can't start with a number or contain symbols`);
        }
      } else if (args.length !== 1) throw new LineError('FROM requires either one or three arguments');
      return { kind, ...base, image: args[0]!, platform: fl.string('platform'), as };
    }
    case 'RUN': {
      if (rest === '') throw atLeastOne();
      const mounts = fl.strings('mount').map((m) => parseMount(m));
      return { kind, ...base, cmd: commandForm(rest), heredocs, mounts, network: fl.string('network'), security: fl.string('security') };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      // A bare CMD/ENTRYPOINT clears the inherited value, as `[]` does.
      return { kind, ...base, cmd: rest === '' ? { form: 'exec', args: [] } : commandForm(rest) };
    case 'SHELL': {
      const args = parseJsonArray(rest);
      if (rest === '' || (args && args.length === 0)) throw atLeastOne();
      if (!args) throw new LineError(`SHELL requires the arguments to be in JSON form`);
      return { kind, ...base, args };
    }
    case 'COPY':
    case 'ADD': {
      const args = parseJsonArray(rest) ?? splitWhitespace(rest);
      if (args.length < 2) {
        throw new LineError(`${kind} requires at least two arguments, but only one was provided. Destination could not be determined`);
      }
      const dest = args[args.length - 1]!;
      if (parseHeredocMarker(dest) && heredocs.length) throw new LineError(`${kind} cannot accept a heredoc as a destination`);
      const sources: string[] = [];
      const used: Heredoc[] = [];
      for (const src of args.slice(0, -1)) {
        const marker = heredocs.length ? parseHeredocMarker(src) : undefined;
        const doc = marker && heredocs.find((h) => h.name === marker.name);
        if (doc) used.push(doc);
        else sources.push(src);
      }
      const unpack = fl.raw.unpack ? fl.bool('unpack') : undefined;
      return {
        kind,
        ...base,
        sources,
        dest,
        heredocs: used,
        from: fl.string('from'),
        chown: fl.string('chown'),
        chmod: fl.string('chmod'),
        link: fl.bool('link'),
        parents: fl.bool('parents'),
        exclude: fl.strings('exclude'),
        checksum: fl.string('checksum'),
        keepGitDir: fl.bool('keep-git-dir'),
        unpack,
      };
    }
    case 'ENV':
    case 'LABEL':
      return { kind, ...base, pairs: keyValues(kind, rest, escape) };
    case 'ARG': {
      const words = parseWords(rest, escape);
      if (words.length === 0) throw atLeastOne();
      const args = words.map((w) => {
        const eq = w.indexOf('=');
        if (eq === 0) throw new LineError('ARG names can not be blank');
        return eq < 0 ? { name: w } : { name: w.slice(0, eq), default: w.slice(eq + 1) };
      });
      return { kind, ...base, args };
    }
    case 'EXPOSE':
    case 'VOLUME': {
      const values = kind === 'VOLUME' ? (parseJsonArray(rest) ?? splitWhitespace(rest)) : splitWhitespace(rest);
      if (values.length === 0) throw atLeastOne();
      if (kind === 'VOLUME' && values.some((v) => v.trim() === '')) throw new LineError('VOLUME specified can not be an empty string');
      return { kind, ...base, values: kind === 'VOLUME' ? values.map((v) => v.trim()) : values };
    }
    case 'USER':
    case 'WORKDIR':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      if (rest === '') throw exactlyOne();
      return { kind, ...base, value: rest };
    case 'HEALTHCHECK':
      return healthcheck(base, rest);
    case 'ONBUILD':
      return onbuild(base, rest, input);
  }
  throw new LineError(`unknown instruction: ${cmd}`);
}

type Base = { line: number; endLine: number; original: string; flags: Record<string, string[]> };

function healthcheck(base: Base, rest: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  if (!m) throw new LineError('HEALTHCHECK requires at least one argument');
  const type = m[1]!.toUpperCase();
  const args = m[2]!;
  if (type === 'NONE') {
    if (args !== '') throw new LineError('HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', ...base, test: 'NONE' };
  }
  if (type !== 'CMD') throw new LineError(`Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const cmd = commandForm(args);
  if ((cmd.form === 'shell' && cmd.command === '') || (cmd.form === 'exec' && cmd.args.length === 0)) {
    throw new LineError('Missing command after HEALTHCHECK CMD');
  }
  const f = (n: string) => base.flags[n]?.[0];
  let retries: number | undefined;
  const r = f('retries');
  if (r !== undefined && r !== '') {
    if (!/^[+-]?\d+$/.test(r)) throw new LineError(`strconv.ParseInt: parsing "${r}": invalid syntax`);
    retries = Number(r);
    if (retries < 1) throw new LineError(`--retries must be at least 1 (not ${retries})`);
  }
  return {
    kind: 'HEALTHCHECK',
    ...base,
    test: 'CMD',
    cmd,
    interval: duration('interval', f('interval')),
    timeout: duration('timeout', f('timeout')),
    startPeriod: duration('start-period', f('start-period')),
    startInterval: duration('start-interval', f('start-interval')),
    retries,
  };
}

function onbuild(base: Base, rest: string, input: LineInput): Instruction {
  if (rest === '') throw new LineError('ONBUILD requires at least one argument');
  const trigger = splitInstruction(rest).cmd.toUpperCase();
  if (trigger === 'ONBUILD') throw new LineError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new LineError(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = input.text.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of input.heredocs) expression += '\n' + h.rawContent + h.name;
  const nested = parseInstruction({ ...input, text: rest });
  return { kind: 'ONBUILD', ...base, trigger: nested, expression };
}
