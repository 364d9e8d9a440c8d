import { invalidArgument } from '../../core/errdefs.js';
import type { ImageRunConfig } from '../../core/images/oci.js';

/**
 * Applies `--change` instructions (`CMD ["sh"]`, `ENV A=b`, ...) to an image config, as
 * `docker import --change` and `docker commit --change` do. Only the instructions that
 * change the config are allowed.
 */
export function applyChanges(cfg: ImageRunConfig, changes: string[]): ImageRunConfig {
  const out: ImageRunConfig = { ...cfg };
  for (const raw of changes) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(raw);
    if (!m) throw invalidArgument(`invalid change "${raw}"`);
    const instr = m[1]!.toUpperCase();
    const arg = m[2]!.trim();
    switch (instr) {
      case 'CMD':
        out.Cmd = commandForm(arg);
        break;
      case 'ENTRYPOINT':
        out.Entrypoint = commandForm(arg);
        break;
      case 'ENV':
        out.Env = mergeEnv(out.Env ?? [], keyValues(arg, 'ENV'));
        break;
      case 'LABEL':
        out.Labels = { ...(out.Labels ?? {}), ...Object.fromEntries(keyValues(arg, 'LABEL')) };
        break;
      case 'WORKDIR':
        out.WorkingDir = arg;
        break;
      case 'USER':
        out.User = arg;
        break;
      case 'STOPSIGNAL':
        out.StopSignal = arg;
        break;
      case 'EXPOSE':
        out.ExposedPorts = { ...(out.ExposedPorts ?? {}) };
        for (const p of arg.split(/\s+/).filter(Boolean)) out.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
        break;
      case 'VOLUME': {
        out.Volumes = { ...(out.Volumes ?? {}) };
        const vols = arg.startsWith('[') ? jsonArray(arg) : arg.split(/\s+/).filter(Boolean);
        for (const v of vols ?? []) out.Volumes[v] = {};
        break;
      }
      case 'ONBUILD':
        out.OnBuild = [...(out.OnBuild ?? []), arg];
        break;
      default:
        throw invalidArgument(`${instr} is not a valid change command`);
    }
  }
  return out;
}

function jsonArray(s: string): string[] | undefined {
  try {
    const v = JSON.parse(s) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not JSON: the caller falls back to shell form, as Dockerfile parsing does.
  }
  return undefined;
}

function commandForm(arg: string): string[] {
  return jsonArray(arg) ?? ['/bin/sh', '-c', arg];
}

function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s.at(-1) === s[0]) return s.slice(1, -1);
  return s;
}

/** `A=1 B="two words"` or the legacy `A one value`. */
function keyValues(arg: string, instr: string): [string, string][] {
  const first = /^(\S+)\s+(.*)$/s.exec(arg);
  if (first && !first[1]!.includes('=')) return [[first[1]!, first[2]!]];
  const out: [string, string][] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  let m: RegExpExecArray | null;
  let seen = 0;
  while ((m = re.exec(arg))) {
    out.push([unquote(m[1]!), unquote(m[2]!)]);
    seen += m[0].length;
  }
  if (out.length === 0 || seen === 0) throw invalidArgument(`${instr} needs KEY=VALUE, got "${arg}"`);
  return out;
}

function mergeEnv(env: string[], kv: [string, string][]): string[] {
  const out = [...env];
  for (const [k, v] of kv) {
    const i = out.findIndex((e) => e.split('=')[0] === k);
    if (i >= 0) out[i] = `${k}=${v}`;
    else out.push(`${k}=${v}`);
  }
  return out;
}
