/** Docker's image documents (API 1.41) from the engine's: list items, inspect, history. */
import type { ImageHistoryEntry, ImageInspect, ImageSummary } from '../../engine/images/index.js';

/** GET /images/json item. */
export function imageSummaryDoc(s: ImageSummary) {
  return {
    Id: s.Id,
    ParentId: s.ParentId,
    RepoTags: s.RepoTags,
    RepoDigests: s.RepoDigests,
    Created: s.Created,
    Size: s.Size,
    SharedSize: s.SharedSize,
    VirtualSize: s.VirtualSize,
    Labels: s.Labels,
    Containers: s.Containers,
  };
}

/** A container config as dockerd writes one with every field, zero values where the image says nothing. */
function containerConfig(c: ImageInspect['Config'] | undefined) {
  return {
    Hostname: '',
    Domainname: '',
    User: c?.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c?.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c?.Env ?? null,
    Cmd: c?.Cmd ?? null,
    ...(c?.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    ...(c?.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: '',
    Volumes: c?.Volumes ?? null,
    WorkingDir: c?.WorkingDir ?? '',
    Entrypoint: c?.Entrypoint ?? null,
    OnBuild: c?.OnBuild ?? null,
    Labels: c?.Labels ?? null,
    ...(c?.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c?.Shell ? { Shell: c.Shell } : {}),
  };
}

/**
 * GET /images/{name}/json. `Container` and `ContainerConfig` stay (as a string and an
 * object): docker-compose v1 reads `ContainerConfig` on recreate and fails on its absence.
 */
export function imageInspectDoc(i: ImageInspect) {
  return {
    Id: i.Id,
    RepoTags: i.RepoTags,
    RepoDigests: i.RepoDigests,
    Parent: i.Parent,
    Comment: i.Comment,
    Created: i.Created,
    Container: '',
    ContainerConfig: containerConfig(undefined),
    DockerVersion: i.DockerVersion,
    Author: i.Author,
    Config: containerConfig(i.Config),
    Architecture: i.Architecture,
    ...(i.Variant ? { Variant: i.Variant } : {}),
    Os: i.Os,
    Size: i.Size,
    VirtualSize: i.VirtualSize,
    GraphDriver: { Name: i.GraphDriver.Name, Data: i.GraphDriver.Data ?? {} },
    RootFS: i.RootFS,
    Metadata: i.Metadata,
  };
}

/** GET /images/{name}/history item: dockerd sends null Tags below the top entry. */
export function historyDoc(h: ImageHistoryEntry) {
  return { Id: h.Id, Created: h.Created, CreatedBy: h.CreatedBy, Tags: h.Tags.length ? h.Tags : null, Size: h.Size, Comment: h.Comment };
}
