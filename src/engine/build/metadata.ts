import { posix } from 'node:path';
import type { CommandForm, Instruction } from '../../core/build/index.js';
import type { HealthConfig } from '../../core/images/oci.js';
import { invalidArgument } from '../../core/errdefs.js';
import { isDockerSignal } from '../../core/signal-names.js';
import { goDuration, goList, goQuoteList, goQuoteRune } from './go-format.js';
import { DEFAULT_SHELL, setEnv, type BuildState } from './state.js';

/** Variable substitution with the stage's ARG/ENV values in scope (errors name the line). */
export interface Expander {
  word(w: string): string;
  words(w: string): string[];
  heredoc(content: string): string;
  /** Runs `fn`, turning a plain error into one that names the file and line. */
  atLine<T>(fn: () => T): T;
}

export function commandArgs(s: BuildState, cmd: CommandForm): string[] {
  return cmd.form === 'exec' ? cmd.args : [...(s.config.config?.Shell ?? DEFAULT_SHELL), cmd.command];
}

/** `80`, `80/udp`, `8000-8002/tcp` → `80/tcp` … (Docker's nat.ParsePortSpecs for EXPOSE). */
export function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/.exec(spec);
  if (!m) throw invalidArgument(`invalid containerPort: ${spec}`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalidArgument(`invalid proto: ${proto}`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > 65535 || to > 65535 || to < from) throw invalidArgument(`invalid range specified for port: ${spec}`);
  const out: string[] = [];
  for (let p = from; p <= to; p++) out.push(`${p}/${proto}`);
  return out;
}

/**
 * `%q` of dockerd 20.10's HealthConfig: `&{["CMD-SHELL" "true"] "30s" "0s" "0s" '\x03'}`; a
 * start interval (BuildKit's flag, unknown to 20.10) comes before Retries, as in later Dockers.
 */
function healthText(hc: HealthConfig): string {
  const d = (ns: number | undefined) => `"${goDuration(ns ?? 0)}"`;
  const fields = [goQuoteList(hc.Test ?? []), d(hc.Interval), d(hc.Timeout), d(hc.StartPeriod)];
  if (hc.StartInterval !== undefined) fields.push(d(hc.StartInterval));
  fields.push(goQuoteRune(hc.Retries ?? 0));
  return `&{${fields.join(' ')}}`;
}

export function resolveWorkdir(current: string | undefined, dir: string): string {
  return posix.resolve(current || '/', dir);
}

/**
 * Applies an instruction that changes only the image config to `s`. Returns the text that
 * stands for it in the cache key and in the history (variables expanded), or undefined when
 * the instruction is not a config-only one.
 */
export function applyConfigInstruction(
  s: BuildState,
  inst: Instruction,
  x: Expander,
  stage: { cmdSet: boolean },
): string | undefined {
  const c = (s.config.config ??= {});
  switch (inst.kind) {
    case 'ENV':
    case 'LABEL': {
      // `build --label` pairs are taken as given (Docker's NewLabelCommand with noExp).
      const word = inst.literal ? (w: string) => w : (w: string) => x.word(w);
      const pairs = inst.pairs.map((p) => [word(p.key), word(p.value)] as const);
      for (const [k, v] of pairs) {
        if (inst.kind === 'ENV') {
          if (!k) throw invalidArgument(`ENV names can not be blank`);
          c.Env = setEnv(c.Env, k, v);
        } else {
          c.Labels = { ...(c.Labels ?? {}), [k]: v };
        }
      }
      return `${inst.kind} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const args = commandArgs(s, inst.cmd);
      if (inst.kind === 'CMD') {
        c.Cmd = args;
        stage.cmdSet = true;
      } else {
        c.Entrypoint = args;
        // Docker: an ENTRYPOINT drops the CMD inherited from the base image, not one set in this stage.
        if (!stage.cmdSet) c.Cmd = null;
      }
      return `${inst.kind} ${goQuoteList(args)}`;
    }
    case 'EXPOSE': {
      const specs = inst.values.flatMap((v) => x.words(v));
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of specs.flatMap(exposedPorts)) c.ExposedPorts[p] = {};
      // dockerd writes the specs sorted (`EXPOSE 80 443/udp` → `EXPOSE 443/udp 80`).
      return `EXPOSE ${[...specs].sort().join(' ')}`;
    }
    case 'VOLUME': {
      const vols = inst.values.map((v) => x.word(v)).filter((v) => v !== '');
      if (!vols.length) throw invalidArgument('VOLUME specified can not be an empty string');
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of vols) c.Volumes[v] = {};
      return `VOLUME ${goList(vols)}`;
    }
    case 'USER':
      c.User = x.word(inst.value);
      return `USER ${c.User}`;
    case 'STOPSIGNAL':
      c.StopSignal = x.word(inst.value);
      x.atLine(() => {
        if (!isDockerSignal(c.StopSignal!)) throw new Error(`Invalid signal: ${c.StopSignal}`);
      });
      return `STOPSIGNAL ${c.StopSignal}`;
    case 'MAINTAINER':
      s.config.author = inst.value;
      return `MAINTAINER ${inst.value}`;
    case 'SHELL':
      c.Shell = inst.args;
      return `SHELL ${goList(inst.args)}`;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), inst.expression];
      return `ONBUILD ${inst.expression}`;
    case 'HEALTHCHECK': {
      let hc: HealthConfig;
      if (inst.test === 'NONE') {
        hc = { Test: ['NONE'] };
      } else {
        hc = {
          Test: inst.cmd.form === 'exec' ? ['CMD', ...inst.cmd.args] : ['CMD-SHELL', inst.cmd.command],
          ...(inst.interval !== undefined ? { Interval: inst.interval } : {}),
          ...(inst.timeout !== undefined ? { Timeout: inst.timeout } : {}),
          ...(inst.startPeriod !== undefined ? { StartPeriod: inst.startPeriod } : {}),
          ...(inst.startInterval !== undefined ? { StartInterval: inst.startInterval } : {}),
          ...(inst.retries !== undefined ? { Retries: inst.retries } : {}),
        };
      }
      c.Healthcheck = hc;
      return `HEALTHCHECK ${healthText(hc)}`;
    }
    default:
      return undefined;
  }
}
