import type { Command } from 'commander';
import type { App } from '../../app.js';
import { examples } from '../common.js';
import { remoteOptions, remoteOptionsOf, type RemoteFlags } from './remote-flags.js';
import { progressRenderer } from './transfer-progress.js';
import { familiarName } from '../../../core/images/reference.js';
import { invalidArgument } from '../../../core/errdefs.js';

interface PullFlags extends RemoteFlags {
  quiet?: boolean;
  platform?: string;
  signaturePolicy?: string;
}

export function register(parent: Command, app: App, name = 'pull'): void {
  const cmd = remoteOptions(
    parent
      .command(name)
      .description('Pull an image from a registry')
      .argument('<IMAGE>', 'NAME[:TAG] or NAME@DIGEST')
      .option('-q, --quiet', 'print only the image name')
      .option('--platform <os/arch[/variant]>', 'pull this platform from a multi-platform image (default: the host)')
      .option('--signature-policy <path>', 'policy.json to enforce (default: $SKIFF_SIGNATURE_POLICY, /etc/skiff/policy.json, /etc/containers/policy.json)'),
  )
    .action(async (image: string, f: PullFlags) => {
      const engine = await app.engine();
      const tty = !!process.stdout.isTTY;
      const res = await engine.images.pull(
        image,
        { platform: f.platform, ...remoteOptionsOf(f), ...(f.signaturePolicy ? { signaturePolicy: f.signaturePolicy } : {}) },
        f.quiet ? undefined : progressRenderer(app.out, tty),
      );
      const shown = res.name ?? image;
      if (!f.quiet) {
        app.print(`Digest: ${res.digest}`);
        app.print(
          res.downloadedBlobs > 0
            ? `Status: Downloaded newer image for ${familiarName(shown)}`
            : `Status: Image is up to date for ${familiarName(shown)}`,
        );
      }
      app.print(shown);
    });
  examples(cmd, [
    'skiff pull busybox',
    'skiff pull --platform linux/arm64 alpine:3.19',
    'skiff pull --tls-verify=false myregistry:5000/app@sha256:…',
  ]);
}

/** `run`/`create --pull=missing|always|never`: pulls before the container is created, progress on stderr. */
export async function pullForCreate(app: App, image: string, policy: string | undefined, platform?: string): Promise<void> {
  const p = policy ?? 'missing';
  if (p !== 'missing' && p !== 'always' && p !== 'never' && p !== 'newer') {
    throw invalidArgument(`--pull: "${p}" is not missing, always or never`);
  }
  const engine = await app.engine();
  if (p === 'never' || (p !== 'always' && engine.images.exists(image))) return;
  if (p === 'missing') app.err(`Unable to find image '${image}' locally\n`);
  try {
    await engine.images.pull(image, platform ? { platform } : {}, progressRenderer(app.err, !!process.stderr.isTTY));
  } catch (e) {
    // Say which image the pull was for, as docker does; keep the error's class for the exit code.
    if (e instanceof Error) e.message = `pulling image "${image}": ${e.message}`;
    throw e;
  }
}
