import { createHash } from 'node:crypto';
import { cp } from 'node:fs/promises';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { MountSpec } from '../../core/build/index.js';
import type { MountRequest } from '../../core/runtime/create-options.js';
import { invalidArgument, notFound, notImplemented } from '../../core/errdefs.js';
import { resolveInRoot } from '../containers/scoped-path.js';
import { cleanSource, digestSources, walkSource, type PathFilter } from './sources.js';
import type { BuildSecret } from './types.js';

export interface MountPlanInput {
  /** With their values substituted already. */
  mounts: MountSpec[];
  workdir: string;
  /** Tree of `from=` (a stage or image, mounted read-only) and its content identity. */
  fromRoot: (ref: string) => Promise<{ root: string; identity: string }>;
  context: { root: string; ignore?: PathFilter };
  secrets: BuildSecret[];
  env: NodeJS.ProcessEnv;
  /** Where per-step copies (rw binds, secrets) go. */
  scratch: string;
  /** `<root>/build-cache/mounts`. */
  cacheDir: string;
}

export interface MountPlan {
  mounts: MountRequest[];
  /** Secrets asked for as environment variables. */
  env: string[];
  /** What the mounts add to the step's cache key (bind sources by content; never secrets). */
  key: string[];
}

function target(m: MountSpec, workdir: string): string | undefined {
  return m.target === undefined || m.target === '' ? undefined : posix.resolve(workdir || '/', m.target);
}

/** The mounts of one RUN, as container mounts: cache dirs, bind sources, tmpfs, secrets. */
export async function planRunMounts(p: MountPlanInput): Promise<MountPlan> {
  const out: MountPlan = { mounts: [], env: [], key: [] };
  let n = 0;
  for (const m of p.mounts) {
    n++;
    const dest = target(m, p.workdir);
    switch (m.type) {
      case 'cache': {
        if (!dest) throw invalidArgument('--mount=type=cache needs a target');
        const id = m.id !== undefined ? m.id : dest;
        const dir = join(p.cacheDir, createHash('sha256').update(id).digest('hex'));
        if (!existsSync(dir)) {
          mkdirSync(dir, { recursive: true });
          chmodSync(dir, m.mode ?? 0o755);
          chownSync(dir, m.uid ?? 0, m.gid ?? 0);
        }
        out.mounts.push({ type: 'bind', source: dir, destination: dest, options: ['rw'] });
        out.key.push(`cache:${dest}:${id}`);
        break;
      }
      case 'bind': {
        if (!dest) throw invalidArgument('--mount=type=bind needs a target');
        const source = cleanSource(m.source !== undefined ? m.source : '.');
        let root: string;
        let identity: string;
        if (m.from !== undefined) {
          const r = await p.fromRoot(m.from);
          root = r.root;
          identity = `${r.identity}:${source}`;
        } else {
          root = p.context.root;
          identity = `context:${source}:${await digestSources([await walkSource(root, source, p.context.ignore)])}`;
        }
        let host = resolveInRoot(root, source);
        if (!lstatSync(host, { throwIfNoEntry: false })) throw notFound(`--mount=type=bind: source ${source} does not exist`);
        if (!m.readonly) {
          // Writes to a rw bind are thrown away with the step, as BuildKit does: they go to a copy.
          const copy = join(p.scratch, `bind-${n}`);
          await cp(host, copy, { recursive: true, verbatimSymlinks: true });
          host = copy;
        }
        out.mounts.push({ type: 'bind', source: host, destination: dest, options: m.readonly ? ['ro'] : ['rw'] });
        out.key.push(`bind:${dest}:${m.readonly}:${identity}`);
        break;
      }
      case 'tmpfs': {
        if (!dest) throw invalidArgument('--mount=type=tmpfs needs a target');
        out.mounts.push({ type: 'tmpfs', destination: dest, options: m.size !== undefined ? [`size=${m.size}`] : [] });
        out.key.push(`tmpfs:${dest}:${m.size ?? ''}`);
        break;
      }
      case 'secret': {
        const id = m.id ?? m.source ?? (dest ? posix.basename(dest) : '');
        if (!id) throw invalidArgument('--mount=type=secret needs an id or a target');
        const secret = p.secrets.find((s) => s.id === id);
        let value: Buffer | undefined;
        if (secret?.src !== undefined) value = readFileSync(secret.src);
        else if (secret?.env !== undefined && p.env[secret.env] !== undefined) value = Buffer.from(p.env[secret.env]!);
        if (value === undefined) {
          if (m.required) throw notFound(`secret ${id}: not provided (use --secret id=${id},src=PATH)`);
          break;
        }
        if (m.env !== undefined) out.env.push(`${m.env}=${value.toString('utf8')}`);
        if (m.env === undefined || dest) {
          const file = join(p.scratch, `secret-${n}`);
          writeFileSync(file, value, { mode: 0o600 });
          chownSync(file, m.uid ?? 0, m.gid ?? 0);
          chmodSync(file, m.mode ?? 0o400);
          out.mounts.push({ type: 'bind', source: file, destination: dest ?? `/run/secrets/${id}`, options: ['ro'] });
        }
        break;
      }
      default:
        if (m.required) throw notImplemented(`--mount=type=${m.type} is not supported`);
    }
  }
  return out;
}
