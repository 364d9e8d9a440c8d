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
  images: { summary: 'List images in local storage', load: () => import('./commands/image/image-ls.js') },
  inspect: { summary: 'Display detailed information on objects', load: () => import('./commands/image/inspect.js') },
  tag: { summary: 'Add names to a local image', load: () => import('./commands/image/image-tag.js') },
  untag: { summary: 'Remove names from a local image', load: () => import('./commands/image/image-untag.js') },
  rmi: { summary: 'Remove one or more images from local storage', load: () => import('./commands/image/image-rm.js') },
  history: { summary: 'Show the history of an image', load: () => import('./commands/image/image-history.js') },
  import: { summary: 'Import a tarball to create a filesystem image', load: () => import('./commands/image/image-import.js') },
  save: { summary: 'Save image(s) to an archive', load: () => import('./commands/image/image-save.js') },
  load: { summary: 'Load image(s) from a tar archive', load: () => import('./commands/image/image-load.js') },
  version: { summary: 'Display the skiff version information', load: () => import('./commands/system/version.js') },
  info: { summary: 'Display skiff system information', load: () => import('./commands/system/info.js') },
  completion: { summary: 'Generate shell completion scripts', load: () => import('./commands/system/completion.js') },
};
