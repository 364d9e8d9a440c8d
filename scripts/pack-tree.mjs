// npm pack ships one CLI tree as a plain dist/cli directory: npm does not follow the dist/cli
// symlink a build leaves (scripts/build.mjs), and the tree the previous build kept is not
// wanted in the package. prepack puts a copy of the current tree in the link's place;
// postpack (`--restore`) puts the link back, so a CLI running from the checkout meanwhile only
// ever sees a complete tree at dist/cli.
import { cpSync, lstatSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, readFileSync, existsSync } from 'node:fs';

const LINK = 'dist/cli';
const NOTE = 'dist/.cli-link';

if (process.argv.includes('--restore')) {
  if (!existsSync(NOTE)) process.exit(0);
  const target = readFileSync(NOTE, 'utf8');
  // Moved aside first (one rename), so dist/cli is never a half-deleted tree.
  symlinkSync(target, `${LINK}.restore`);
  renameSync(LINK, `${LINK}.packed`);
  renameSync(`${LINK}.restore`, LINK);
  rmSync(`${LINK}.packed`, { recursive: true, force: true });
  rmSync(NOTE);
  process.exit(0);
}

if (!lstatSync(LINK).isSymbolicLink()) throw new Error(`${LINK} is not the build's symlink: run npm run build first`);
const target = readlinkSync(LINK);
cpSync(`dist/${target}`, `${LINK}.pack`, {
  recursive: true,
  // Source maps and V8 code caches are a developer's, not a user's.
  filter: (src) => !/\.(map|cache)$/.test(src),
});
writeFileSync(NOTE, target);
rmSync(LINK);
renameSync(`${LINK}.pack`, LINK);
