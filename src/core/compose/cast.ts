/**
 * @module compose/cast
 * After interpolation a value like `tty: ${TTY}` is a string; compose-go turns the strings at
 * known paths back into the types the model has (its interpolation `TypeCastMapping`):
 * booleans (`y/yes/true/on`, `n/no/false/off` in their usual cases), integers and numbers.
 * A string that does not read as its type is an error naming the path.
 */
import { invalidArgument } from '../errdefs.js';
import { isPlainObject } from './interpolate.js';

type Cast = (s: string) => unknown;

const TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const toBoolean: Cast = (s) => {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new Error(`invalid boolean: ${s}`);
};
const toInt: Cast = (s) => {
  if (!/^[+-]?\d+$/.test(s.trim())) throw new Error(`strconv.Atoi: parsing "${s}": invalid syntax`);
  return Number(s);
};
const toFloat: Cast = (s) => {
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new Error(`strconv.ParseFloat: parsing "${s}": invalid syntax`);
  return n;
};

// `[]` is any list item, `*` any mapping key.
const CASTS: [string, Cast][] = [
  ['services.*.cpu_count', toInt],
  ['services.*.cpu_percent', toFloat],
  ['services.*.cpu_period', toInt],
  ['services.*.cpu_quota', toInt],
  ['services.*.cpu_rt_period', toInt],
  ['services.*.cpu_rt_runtime', toInt],
  ['services.*.cpus', toFloat],
  ['services.*.cpu_shares', toInt],
  ['services.*.init', toBoolean],
  ['services.*.deploy.replicas', toInt],
  ['services.*.deploy.update_config.parallelism', toInt],
  ['services.*.deploy.update_config.max_failure_ratio', toFloat],
  ['services.*.deploy.rollback_config.parallelism', toInt],
  ['services.*.deploy.rollback_config.max_failure_ratio', toFloat],
  ['services.*.deploy.restart_policy.max_attempts', toInt],
  ['services.*.deploy.placement.max_replicas_per_node', toInt],
  ['services.*.healthcheck.retries', toInt],
  ['services.*.healthcheck.disable', toBoolean],
  ['services.*.oom_kill_disable', toBoolean],
  ['services.*.oom_score_adj', toInt],
  ['services.*.pids_limit', toInt],
  ['services.*.ports.[].target', toInt],
  ['services.*.privileged', toBoolean],
  ['services.*.read_only', toBoolean],
  ['services.*.scale', toInt],
  ['services.*.configs.[].mode', toInt],
  ['services.*.secrets.[].mode', toInt],
  ['services.*.stdin_open', toBoolean],
  ['services.*.tty', toBoolean],
  ['services.*.ulimits.*', toInt],
  ['services.*.ulimits.*.hard', toInt],
  ['services.*.ulimits.*.soft', toInt],
  ['services.*.volumes.[].read_only', toBoolean],
  ['services.*.volumes.[].volume.nocopy', toBoolean],
  ['services.*.depends_on.*.required', toBoolean],
  ['services.*.depends_on.*.restart', toBoolean],
  ['services.*.build.privileged', toBoolean],
  ['networks.*.external', toBoolean],
  ['networks.*.internal', toBoolean],
  ['networks.*.attachable', toBoolean],
  ['networks.*.enable_ipv6', toBoolean],
  ['volumes.*.external', toBoolean],
  ['secrets.*.external', toBoolean],
  ['configs.*.external', toBoolean],
];

const PATTERNS = CASTS.map(([p, cast]) => [p.split('.'), cast] as const);

function castFor(path: string[]): Cast | undefined {
  for (const [pattern, cast] of PATTERNS) {
    if (pattern.length === path.length && pattern.every((seg, i) => seg === '*' || (seg === '[]' ? path[i]!.startsWith('[') : seg === path[i]))) {
      return cast;
    }
  }
  return undefined;
}

export function castTypes(node: unknown, path: string[] = []): unknown {
  if (typeof node === 'string') {
    const cast = castFor(path);
    if (!cast) return node;
    try {
      return cast(node);
    } catch (e) {
      throw invalidArgument(`failed to cast to expected type: ${path.join('.')}: ${(e as Error).message}`);
    }
  }
  if (Array.isArray(node)) return node.map((v, i) => castTypes(v, [...path, `[${i}]`]));
  if (isPlainObject(node)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = castTypes(v, [...path, k]);
    return out;
  }
  return node;
}
