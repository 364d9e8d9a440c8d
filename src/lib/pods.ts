/**
 * @module lib/pods
 * `engine.pods`: Podman's pods, containers that share namespaces with an infra container.
 */
import type { PodEngine } from '../engine/pods/index.js';
import type { PodActionReport, PodInspect, PodStatus, PodSummary } from '../engine/pods/types.js';
import { filterMap, type Filters } from './common.js';

export type { PodActionReport, PodInspect, PodStatus, PodSummary };

export interface PodCreateOptions {
  name?: string;
  hostname?: string;
  labels?: Record<string, string>;
  /** Namespaces members share, as written: `ipc,net,uts` (default), or `+pid` to add one. */
  share?: string;
  /** Default true: without an infra container members share nothing. */
  infra?: boolean;
  network?: string;
}

export interface Pods {
  /** Resolves with the pod's id. */
  create(opts?: PodCreateOptions): Promise<string>;
  inspect(ref: string): Promise<PodInspect>;
  list(filters?: Filters): Promise<PodSummary[]>;
  start(ref: string): Promise<PodActionReport>;
  stop(ref: string, opts?: { timeout?: number }): Promise<PodActionReport>;
  kill(ref: string, signal?: string): Promise<PodActionReport>;
  /** With its containers; `force` stops running ones first. Resolves with the pod's id. */
  remove(ref: string, opts?: { force?: boolean }): Promise<string>;
}

export function podsOf(pods: () => PodEngine): Pods {
  return {
    create: (o = {}) => pods().create(o),
    inspect: (ref) => pods().inspect(ref),
    list: (f) => pods().list(filterMap(f)),
    start: (ref) => pods().start(ref),
    stop: (ref, o = {}) => pods().stop(ref, o.timeout),
    kill: (ref, signal) => pods().kill(ref, signal),
    remove: (ref, o) => pods().remove(ref, o),
  };
}
