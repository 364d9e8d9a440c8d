import type { Command } from 'commander';
import type { App } from '../../app.js';
import type { ImageTreeLayer } from '../../../engine/images/index.js';
import { humanSizeWithPrecision } from '../../format/units.js';
import { examples } from '../common.js';

const size = (n: number) => humanSizeWithPrecision(n, 4);

function line(l: ImageTreeLayer): string {
  return `ID: ${l.id} Size: ${size(l.size).padStart(7)}${l.topOf.length ? ` Top Layer of: [${l.topOf.join(' ')}]` : ''}`;
}

/** Podman's tree: siblings joined by ├── and └──, children indented under their parent. */
function render(layers: ImageTreeLayer[], indent: string, out: string[]): void {
  layers.forEach((l, i) => {
    const last = i === layers.length - 1;
    out.push(`${indent}${last ? '└── ' : '├── '}${line(l)}`);
    if (l.children?.length) render(l.children, indent + (last ? '    ' : '│   '), out);
  });
}

export function register(parent: Command, app: App, name = 'tree'): void {
  const cmd = parent
    .command(name)
    .description("Show an image's layers as a tree")
    .argument('<IMAGE>')
    .option('--whatrequires', "show the images and layers built on top of this image's top layer")
    .action(async (ref: string, o: { whatrequires?: boolean }) => {
      const engine = await app.engine();
      const t = engine.images.tree(ref, { whatRequires: !!o.whatrequires });
      const out = [`Image ID: ${t.id}`, `Tags:     [${t.tags.join(' ')}]`, `Size:     ${size(t.size)}`, 'Image Layers'];
      render(t.layers, '', out);
      app.print(out.join('\n'));
    });
  examples(cmd, ['skiff image tree busybox', 'skiff image tree --whatrequires busybox']);
}
