/**
 * @module compose/profiles
 * Which services a run uses (docs "Using profiles with Compose"): a service without `profiles`
 * is always enabled; one with profiles only when one of them is active (`--profile`, else
 * COMPOSE_PROFILES; `*` activates all). A service named on the command line activates its own
 * profiles, and the selection is then the named services and what they depend on; a required
 * dependency that stays disabled is an error, in compose-go's words.
 */
import { invalidArgument, notFound } from '../errdefs.js';
import type { ServiceConfig } from './types.js';

export interface ProfileSelection {
  enabled: Record<string, ServiceConfig>;
  disabled: Record<string, ServiceConfig>;
}

export function activeProfiles(flags: string[] | undefined, env: string | undefined): string[] {
  const list = flags?.length ? flags : (env ?? '').split(',');
  return [...new Set(list.map((p) => p.trim()).filter(Boolean))];
}

export function selectServices(services: Record<string, ServiceConfig>, profiles: string[], named: string[] = []): ProfileSelection {
  const active = new Set(profiles);
  for (const n of named) {
    const s = services[n];
    if (!s) throw notFound(`no such service: ${n}`);
    for (const p of s.profiles ?? []) active.add(p);
  }
  const on = (s: ServiceConfig) => !s.profiles?.length || active.has('*') || s.profiles.some((p) => active.has(p));
  const enabled: Record<string, ServiceConfig> = {};
  const disabled: Record<string, ServiceConfig> = {};
  for (const [n, s] of Object.entries(services)) (on(s) ? enabled : disabled)[n] = s;
  const wanted = named.length ? closure(named, enabled, disabled) : Object.keys(enabled);
  // Without named services, a disabled dependency is left to the consistency check
  // ("depends on undefined service"), as in compose-go.
  for (const n of named.length ? wanted : []) {
    for (const [dep, d] of Object.entries(enabled[n]?.depends_on ?? {})) {
      if (d.required && disabled[dep]) {
        throw invalidArgument(
          `service "${dep}" was pulled in as a dependency of service "${n}" but is not enabled by the active profiles. You may fix this by adding a common profile to "${dep}" and "${n}".`,
        );
      }
    }
  }
  const selected: Record<string, ServiceConfig> = {};
  for (const n of Object.keys(services).sort()) if (wanted.includes(n) && enabled[n]) selected[n] = enabled[n];
  for (const n of Object.keys(enabled)) if (!selected[n]) disabled[n] = enabled[n]!;
  return { enabled: selected, disabled };
}

function closure(named: string[], enabled: Record<string, ServiceConfig>, disabled: Record<string, ServiceConfig>): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const dep of Object.keys((enabled[n] ?? disabled[n])?.depends_on ?? {})) visit(dep);
  };
  named.forEach(visit);
  return [...seen];
}
