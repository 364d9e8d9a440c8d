/**
 * Every verb, with the module that defines it. Only the invoked verb's module is loaded, so
 * `skiff images` does not pay for `save`'s imports.
 */
import type { Command } from 'commander';
import type { App } from './app.js';

/** Adds the verb to `parent`, under `name` when a group calls it by another name (`image ls`). */
export type Register = (parent: Command, app: App, name?: string, argv?: string[]) => void | Promise<void>;

export interface VerbEntry {
  summary: string;
  load: () => Promise<{ register: Register }>;
  /** a group (`image`, `system`) whose own subcommands are the verbs */
  group?: boolean;
  hidden?: boolean;
}

export const VERBS: Record<string, VerbEntry> = {
  image: { summary: 'Manage images', group: true, load: () => import('./commands/image/group.js') },
  system: { summary: 'Manage skiff', group: true, load: () => import('./commands/system/group.js') },
  container: { summary: 'Manage containers', group: true, load: () => import('./commands/container/group.js') },
  run: { summary: 'Run a command in a new container', load: () => import('./commands/container/run.js') },
  create: { summary: 'Create a new container', load: () => import('./commands/container/create.js') },
  start: { summary: 'Start one or more stopped containers', load: () => import('./commands/container/start.js') },
  stop: { summary: 'Stop one or more running containers', load: () => import('./commands/container/stop.js') },
  restart: { summary: 'Restart one or more containers', load: () => import('./commands/container/restart.js') },
  kill: { summary: 'Kill one or more running containers with a signal', load: () => import('./commands/container/kill.js') },
  rm: { summary: 'Remove one or more containers', load: () => import('./commands/container/rm.js') },
  ps: { summary: 'List containers', load: () => import('./commands/container/ps.js') },
  wait: { summary: 'Block until containers stop, then print their exit codes', load: () => import('./commands/container/wait.js') },
  logs: { summary: 'Fetch the logs of a container', load: () => import('./commands/container/logs.js') },
  attach: { summary: 'Attach to a running container', load: () => import('./commands/container/attach.js') },
  pause: { summary: 'Pause all processes within containers', load: () => import('./commands/container/pause.js') },
  unpause: { summary: 'Unpause all processes within containers', load: () => import('./commands/container/unpause.js') },
  rename: { summary: 'Rename a container', load: () => import('./commands/container/rename.js') },
  exec: { summary: 'Run a process in a running container', load: () => import('./commands/container/exec.js') },
  top: { summary: 'Display the running processes of a container', load: () => import('./commands/container/top.js') },
  cp: { summary: 'Copy files between a container and the local filesystem', load: () => import('./commands/container/cp.js') },
  diff: { summary: "Inspect changes to a container's filesystem", load: () => import('./commands/container/diff.js') },
  commit: { summary: "Create a new image from a container's changes", load: () => import('./commands/container/commit.js') },
  export: { summary: "Export a container's filesystem as a tar archive", load: () => import('./commands/container/export.js') },
  stats: { summary: 'Display container resource usage statistics', load: () => import('./commands/container/stats.js') },
  update: { summary: 'Update the resource limits and restart policy of containers', load: () => import('./commands/container/update.js') },
  port: { summary: 'List port mappings for a container', load: () => import('./commands/container/port.js') },
  quadlet: { summary: 'Turn Quadlet files into systemd units (run as skiff-quadlet by systemd)', hidden: true, load: () => import('./commands/system/quadlet.js') },
  generate: { summary: 'Generate systemd units or Kubernetes YAML', group: true, load: () => import('./commands/generate/group.js') },
  compose: { summary: 'Define and run multi-container applications', group: true, load: () => import('./commands/compose/group.js') },
  volume: { summary: 'Manage volumes', group: true, load: () => import('./commands/volume/group.js') },
  network: { summary: 'Manage networks', group: true, load: () => import('./commands/network/group.js') },
  kube: { summary: 'Play or generate Kubernetes YAML', group: true, load: () => import('./commands/kube/group.js') },
  pod: { summary: 'Manage pods', group: true, load: () => import('./commands/pod/group.js') },
  key: { summary: 'Manage signing keys', group: true, load: () => import('./commands/key/group.js') },
  manifest: { summary: 'Inspect manifests and manifest lists in registries', group: true, load: () => import('./commands/manifest/group.js') },
  build: { summary: 'Build an image from a Containerfile or Dockerfile', load: () => import('./commands/image/build.js') },
  builder: { summary: 'Manage builds', group: true, load: () => import('./commands/builder/group.js') },
  images: { summary: 'List images in local storage', load: () => import('./commands/image/image-ls.js') },
  inspect: { summary: 'Display detailed information on objects', load: () => import('./commands/image/inspect.js') },
  tag: { summary: 'Add names to a local image', load: () => import('./commands/image/image-tag.js') },
  untag: { summary: 'Remove names from a local image', load: () => import('./commands/image/image-untag.js') },
  rmi: { summary: 'Remove one or more images from local storage', load: () => import('./commands/image/image-rm.js') },
  history: { summary: 'Show the history of an image', load: () => import('./commands/image/image-history.js') },
  import: { summary: 'Import a tarball to create a filesystem image', load: () => import('./commands/image/image-import.js') },
  save: { summary: 'Save image(s) to an archive', load: () => import('./commands/image/image-save.js') },
  load: { summary: 'Load image(s) from a tar archive', load: () => import('./commands/image/image-load.js') },
  pull: { summary: 'Pull an image from a registry', load: () => import('./commands/image/image-pull.js') },
  push: { summary: 'Push an image to a registry', load: () => import('./commands/image/image-push.js') },
  login: { summary: 'Log in to a registry', load: () => import('./commands/image/login.js') },
  logout: { summary: 'Log out of a registry', load: () => import('./commands/image/logout.js') },
  version: { summary: 'Display the skiff version information', load: () => import('./commands/system/version.js') },
  info: { summary: 'Display skiff system information', load: () => import('./commands/system/info.js') },
  unshare: { summary: "Run a command in rootless skiff's user namespace", load: () => import('./commands/system/unshare.js') },
  events: { summary: 'Get real time events from the engine', load: () => import('./commands/system/events.js') },
  healthcheck: { summary: 'Manage health checks of containers', group: true, load: () => import('./commands/healthcheck/group.js') },
  completion: { summary: 'Generate shell completion scripts', load: () => import('./commands/system/completion.js') },
};
