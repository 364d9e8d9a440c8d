/**
 * Docker's JSON progress messages (jsonmessage) for pull and push streams, made from the
 * engine's transfer events: the statuses, the per-layer `id` and the `progress` bar text the
 * docker CLI prints as it is.
 */
import type { LayerStatus, TransferEvent } from '../../engine/images/index.js';

export interface JsonMessage {
  status?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  id?: string;
  aux?: unknown;
  stream?: string;
  errorDetail?: { code?: number; message: string };
  error?: string;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSize: decimal units, four significant digits (`32.77kB`, `614.9kB`). */
export function humanSize(n: number): string {
  let i = 0;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return `${parseFloat(n.toPrecision(4))}${UNITS[i]}`;
}

/** jsonmessage's JSONProgress.String() at the daemon's width: `[====>     ]  32.77kB/614.9kB`. */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(pct)}>${' '.repeat(50 - pct)}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

function withProgress(status: string, id: string, current: number, total: number): JsonMessage {
  return { status, progressDetail: { current, total }, progress: progressBar(current, total), id };
}

const PULL_STATUS: Partial<Record<LayerStatus, string>> = {
  waiting: 'Pulling fs layer',
  exists: 'Already exists',
  verifying: 'Verifying Checksum',
};

/**
 * A pull's shaper: messages for each event. `Pulling from` names the repository path and the
 * tag (or digest). A layer whose blob was already here shows only `Already exists`, as docker
 * shows it, even though the engine still checks (and dedups) its unpacked layer.
 */
export function pullProgress(): (e: TransferEvent) => JsonMessage[] {
  const present = new Set<string>();
  return (e) => {
    if (e.type === 'layer' && e.status === 'exists') present.add(e.id);
    else if (e.type === 'layer' && present.has(e.id)) return [];
    return pullMessages(e);
  };
}

function pullMessages(e: TransferEvent): JsonMessage[] {
  if (e.type === 'resolved') {
    const at = e.name.indexOf('@');
    const colon = e.name.lastIndexOf(':');
    const slash = e.name.lastIndexOf('/');
    const [repo, id] = at >= 0 ? [e.name.slice(0, at), e.name.slice(at + 1)] : colon > slash ? [e.name.slice(0, colon), e.name.slice(colon + 1)] : [e.name, 'latest'];
    const path = repo.includes('/') ? repo.slice(repo.indexOf('/') + 1) : repo;
    return [{ status: `Pulling from ${path}`, id }];
  }
  const total = e.total ?? 0;
  switch (e.status) {
    case 'downloading':
      return [withProgress('Downloading', e.id, e.current ?? 0, total)];
    case 'verifying':
      return [{ status: 'Verifying Checksum', progressDetail: {}, id: e.id }, { status: 'Download complete', progressDetail: {}, id: e.id }];
    case 'extracting':
      return [withProgress('Extracting', e.id, 0, total)];
    case 'done':
      return [withProgress('Extracting', e.id, total, total), { status: 'Pull complete', progressDetail: {}, id: e.id }];
    default: {
      const status = PULL_STATUS[e.status];
      return status ? [{ status, progressDetail: {}, id: e.id }] : [];
    }
  }
}

/** Messages for one push event; the image config (id `configId`) is not shown, as docker shows only layers. */
export function pushMessages(e: TransferEvent, configId: string): JsonMessage[] {
  if (e.type !== 'layer' || e.id === configId) return [];
  const total = e.total ?? 0;
  switch (e.status) {
    case 'preparing':
      return [{ status: 'Preparing', progressDetail: {}, id: e.id }];
    case 'waiting':
      return [{ status: 'Waiting', progressDetail: {}, id: e.id }];
    case 'exists':
      return [{ status: 'Layer already exists', progressDetail: {}, id: e.id }];
    case 'mounted':
      return [{ status: `Mounted from ${e.from ?? ''}`.trimEnd(), progressDetail: {}, id: e.id }];
    case 'pushing':
      return [withProgress('Pushing', e.id, e.current ?? 0, total)];
    case 'pushed':
      return [{ status: 'Pushed', progressDetail: {}, id: e.id }];
    default:
      return [];
  }
}

/** A mid-stream failure: the docker CLI prints `message` and exits with `code` (1 when absent). */
export function errorMessage(e: unknown, code?: number): JsonMessage {
  const message = e instanceof Error ? e.message : String(e);
  return { errorDetail: code !== undefined ? { code, message } : { message }, error: message };
}
