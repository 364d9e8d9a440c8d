import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { collect, examples } from '../common.js';
import { invalidArgument } from '../../../core/errdefs.js';
import type { BuildEvent, BuildOptions, BuildSecret } from '../../../engine/build/types.js';
import { normalizeBuildRun } from '../../../engine/build/run-settings.js';
import { progressRenderer } from './transfer-progress.js';

interface BuildFlags {
  file?: string;
  tag?: string[];
  target?: string;
  buildArg?: string[];
  label?: string[];
  cache: boolean;
  pull?: string | boolean;
  iidfile?: string;
  quiet?: boolean;
  network?: string;
  secret?: string[];
  format?: string;
  layers?: string | boolean;
  addHost?: string[];
  ulimit?: string[];
  shmSize?: string;
  memory?: string;
  memorySwap?: string;
  cpuShares?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  cacheFrom?: string[];
  platform?: string;
}

function keyValues(list: string[] | undefined, what: string, fromEnv: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i === 0) throw invalidArgument(`${what} ${JSON.stringify(item)}: the name is empty`);
    if (i < 0) {
      // `--build-arg NAME` takes the value from the environment (and is dropped when unset), as docker does.
      if (fromEnv) {
        if (process.env[item] !== undefined) out[item] = process.env[item]!;
      } else out[item] = '';
      continue;
    }
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function parsePull(v: string | boolean | undefined): BuildOptions['pull'] {
  if (v === undefined || v === false) return 'missing';
  if (v === true) return 'always';
  switch (v.toLowerCase()) {
    case 'always':
    case 'true':
      return 'always';
    case 'missing':
    case 'newer':
    case 'ifmissing':
    case 'false':
      return 'missing';
    case 'never':
      return 'never';
    default:
      throw invalidArgument(`--pull: "${v}" is not always, missing, never, true or false`);
  }
}

function parseBool(v: string | boolean | undefined, what: string): boolean {
  if (v === undefined || v === true) return true;
  if (v === false) return false;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw invalidArgument(`invalid boolean value "${v}" for ${what}`);
}

/** `--secret id=NAME[,src=PATH|,env=VAR][,type=file|env]`; a bare id reads the variable, else the file, of that name. */
function parseSecret(spec: string): BuildSecret {
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    if (i < 0) throw invalidArgument(`--secret ${spec}: ${part} is not KEY=VALUE`);
    const k = part.slice(0, i).trim().toLowerCase();
    fields[k === 'source' ? 'src' : k] = part.slice(i + 1);
  }
  const id = fields.id;
  if (!id) throw invalidArgument(`--secret ${spec}: an id is required`);
  if (fields.type === 'env' || fields.env !== undefined) return { id, env: fields.env ?? fields.src ?? id };
  if (fields.src !== undefined) return { id, src: resolve(fields.src) };
  return process.env[id] !== undefined ? { id, env: id } : { id, src: resolve(id) };
}

function optional<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

/** podman's text for each build event. */
export function renderer(app: App, quiet: boolean): (e: BuildEvent) => void {
  let prefix = '';
  const pull = progressRenderer(app.err, !!process.stderr.isTTY);
  return (e) => {
    if (e.type === 'warning') {
      app.err(`[Warning] ${e.message}\n`);
      return;
    }
    if (quiet) return;
    switch (e.type) {
      case 'step':
        prefix = e.stages > 1 ? `[${e.stage}/${e.stages}] ` : '';
        app.print(`${prefix}STEP ${e.step}/${e.steps}: ${e.instruction}`);
        break;
      case 'cache-hit':
        app.print(`--> Using cache ${e.id}`);
        break;
      case 'step-done':
        app.print(`--> ${e.id.slice(0, 11)}`);
        break;
      case 'output':
        (e.stream === 'stdout' ? app.out : app.err)(e.data.toString('utf8'));
        break;
      case 'commit':
        app.print(`${prefix}COMMIT${e.name ? ` ${e.name}` : ''}`);
        break;
      case 'tagged':
        app.print(`Successfully tagged ${e.name}`);
        break;
      case 'pull':
        pull(e.progress);
        break;
      case 'committed':
        app.print(`--> ${e.id.replace(/^sha256:/, '').slice(0, 11)}`);
        break;
    }
  };
}

export function register(parent: Command, app: App, name = 'build'): void {
  const cmd = parent
    .command(name)
    .description('Build an image from a Containerfile or Dockerfile')
    .argument('[CONTEXT]', 'directory, tar archive, or - (a tar or a Dockerfile on stdin)', '.')
    .option('-f, --file <path>', 'Containerfile/Dockerfile (default: CONTEXT/Containerfile or CONTEXT/Dockerfile; - for stdin)')
    .option('-t, --tag <name>', 'name the resulting image (repeatable)', collect)
    .option('--target <stage>', 'build this stage (default: the last)')
    .option('--build-arg <name=value>', 'set a build-time variable (repeatable)', collect)
    .option('--label <key=value>', 'add a label to the image (repeatable)', collect)
    .option('--no-cache', 'do not use the build cache')
    .option('--pull [policy]', 'pull base images: always (bare flag), missing (default), never')
    .option('--iidfile <file>', 'write the image id to this file')
    .option('-q, --quiet', 'print only the image id')
    .option('--network <mode>', 'network of RUN instructions: bridge (default), none, host, or a network name')
    .option('--secret <spec>', 'secret for RUN --mount=type=secret: id=NAME,src=PATH or id=NAME,env=VAR (repeatable)', collect)
    .option('--format <format>', 'image format: oci (default) or docker')
    .option('--layers [bool]', 'cache each instruction (default true)')
    .option('--add-host <host:ip>', 'add a line to the /etc/hosts of RUN instructions (repeatable)', collect)
    .option('--ulimit <name=soft[:hard]>', 'ulimit of RUN instructions (repeatable)', collect)
    .option('--shm-size <size>', 'size of /dev/shm in RUN instructions')
    .option('-m, --memory <bytes>', 'memory limit of RUN instructions')
    .option('--memory-swap <bytes>', "memory plus swap limit of RUN instructions: '-1' for unlimited swap")
    .option('-c, --cpu-shares <shares>', 'CPU shares (relative weight) of RUN instructions')
    .option('--cpu-quota <usecs>', 'CPU CFS quota of RUN instructions')
    .option('--cpu-period <usecs>', 'CPU CFS period of RUN instructions')
    .option('--cpuset-cpus <list>', 'CPUs RUN instructions may use (0-3, 0,1)')
    .option('--cpuset-mems <list>', 'memory nodes RUN instructions may use')
    .option('--platform <os/arch[/variant]>', 'platform of the image built (FROM scratch stages, base images pulled; wasi/wasm for a WebAssembly image)')
    .option('--cache-from <image>', 'images to take cached steps from; when given, only they prime the cache (repeatable)', collect)
    .option('--rm [bool]', 'remove intermediate containers (always done)')
    .option('--force-rm [bool]', 'remove intermediate containers even on failure (always done)')
    .action(async (contextArg: string, f: BuildFlags) => {
      const format = f.format ?? 'oci';
      if (format !== 'oci' && format !== 'docker') throw invalidArgument(`unrecognized image type "${format}": use oci or docker`);
      if (/^(https?|git):\/\//.test(contextArg) || contextArg.startsWith('git@')) {
        throw invalidArgument(`a remote context (${contextArg}) is not supported: pass a directory or a tar archive`);
      }
      let context: BuildOptions['context'];
      if (contextArg === '-') {
        if (f.file === '-') throw invalidArgument('the context and the Dockerfile cannot both come from stdin');
        context = { kind: 'stream', stream: process.stdin };
      } else {
        const st = statSync(contextArg, { throwIfNoEntry: false });
        if (!st) throw invalidArgument(`context ${contextArg}: no such file or directory`);
        context = st.isDirectory() ? { kind: 'dir', path: resolve(contextArg) } : { kind: 'stream', stream: createReadStream(contextArg) };
      }
      let dockerfileText: string | undefined;
      if (f.file === '-') {
        const chunks: Buffer[] = [];
        for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
        dockerfileText = Buffer.concat(chunks).toString('utf8');
      }
      const opts: BuildOptions = {
        context,
        ...(f.file && f.file !== '-' ? { dockerfile: context.kind === 'dir' ? resolve(f.file) : f.file } : {}),
        ...(dockerfileText !== undefined ? { dockerfileText } : {}),
        tags: f.tag ?? [],
        ...(f.target ? { target: f.target } : {}),
        buildArgs: keyValues(f.buildArg, '--build-arg', true),
        labels: keyValues(f.label, '--label', false),
        noCache: !f.cache,
        pull: parsePull(f.pull),
        ...(f.network ? { network: f.network } : {}),
        secrets: (f.secret ?? []).map(parseSecret),
        ...optional('run', normalizeBuildRun({
          addHosts: f.addHost,
          ulimits: f.ulimit,
          shmSize: f.shmSize,
          memory: f.memory,
          memorySwap: f.memorySwap,
          cpuShares: f.cpuShares,
          cpuQuota: f.cpuQuota,
          cpuPeriod: f.cpuPeriod,
          cpusetCpus: f.cpusetCpus,
          cpusetMems: f.cpusetMems,
        })),
        ...(f.cacheFrom?.length ? { cacheFrom: f.cacheFrom } : {}),
        ...(f.platform ? { platform: f.platform } : {}),
        format,
        layers: parseBool(f.layers, '--layers'),
        env: process.env,
      };
      const engine = await app.engine();
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const res = await engine.builder.build({ ...opts, signal: ac.signal }, renderer(app, !!f.quiet));
        if (f.iidfile) writeFileSync(f.iidfile, res.id);
        app.print(res.id.replace(/^sha256:/, ''));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  examples(cmd, [
    'skiff build -t app:1 .',
    'skiff build -f Containerfile.dev --target test --build-arg VERSION=2 .',
    'skiff build --secret id=npmrc,src=$HOME/.npmrc -t app .',
    'tar -c . | skiff build -t app -',
  ]);
}
