/**
 * skiff as a library: a container engine that runs in your Node.js process.
 *
 * ```ts
 * import { createEngine } from 'skiff';
 * const engine = createEngine();
 * await engine.images.pull('docker.io/library/busybox:latest');
 * const { stdout } = await engine.containers.run({ image: 'busybox', command: ['echo', 'hi'] });
 * ```
 *
 * Every method of the resource interfaces returns a promise (or an async iterable for
 * streams) and fails with an {@link EngineError}. See docs/library.md for a guide.
 *
 * @packageDocumentation
 */
export { createEngine, type Engine, type EngineOptions, type StorageDriverName } from './engine.js';
export { serveDockerApi, type DockerApiOptions, type DockerApiServer } from './docker-api.js';
export { EngineError, ERROR_CODES, isEngineError, type ErrorCode } from '../core/errdefs.js';
export { SKIFF_VERSION, API_VERSION } from '../engine/system/info.js';
export type { Filters, Cancellable } from './common.js';
export type {
  Images, ImageListOptions, ImagePullOptions, ImagePushOptions, ImageRemoveOptions, ImagePruneOptions, ImageImportOptions,
  ImageSaveOptions, RegistryOptions, TransferListener, ArchiveFormat, ImageDeleteResponseItem, ImageHistoryEntry, ImageInspect,
  ImageLoadResult, ImagePruneReport, ImageSummary, ImagePullResult, ImagePushResult, TransferEvent, LayerStatus, ImageRunConfig,
  HealthConfig,
} from './images.js';
export type {
  Containers, ContainerCreateOptions, ContainerCreateResult, ContainerListOptions, ContainerInspect, ContainerStopOptions,
  ContainerRemoveOptions, ContainerLogsOptions, AttachStreams, AttachSession, AttachEnd, ContainerExecOptions,
  ContainerRunOptions, ContainerRunResult, ContainerStatus, ContainerSummary, ContainerPruneReport, LogRecord, LogStream,
} from './containers.js';
export type {
  Volumes, VolumeCreateOptions, VolumeInspect, VolumePruneOptions, VolumePruneReport, VolumeRemoveOptions, VolumeSummary,
} from './volumes.js';
export type { Networks, NetworkCreateOptions, NetworkInspect, NetworkConnectOptions } from './networks.js';
export type { Pods, PodCreateOptions, PodActionReport, PodInspect, PodStatus, PodSummary } from './pods.js';
export type {
  Compose, ComposeProjectOptions, ComposeProgress, ComposeListeners, ComposeUpOptions, ComposeDownOptions, ComposeContainer,
} from './compose.js';
export type { Builder, BuildOptions, BuildEvent, BuildPruneReport, BuildResult } from './builder.js';
export type { Events, EventQuery, EngineEvent, EventType } from './events.js';
export type {
  System, SystemPruneOptions, DiskUsage, DiskUsageImage, BuildCacheEntry, IdRange, SystemInfo, SystemPruneReport, VersionInfo,
} from './system.js';
