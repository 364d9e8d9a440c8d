// Writes dist/lib/index.d.ts (the package's declarations, see api-report.mjs). With
// --update-report it also rewrites api-report/skiff.api.md, but only for a version that
// CHANGELOG.md has a section for, and only after a version bump when the surface changed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { REPORT, changelogHas, normalise, publicDts, readReport, renderReport, surface } from './api-report.mjs';

const dts = publicDts();
mkdirSync('dist/lib', { recursive: true });
writeFileSync('dist/lib/index.d.ts', dts);

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const kept = readReport();
const changed = !kept || surface(kept.dts) !== surface(dts);
const reworded = !changed && normalise(kept.dts) !== normalise(dts);
if (process.argv.includes('--update-report')) {
  if (changed && kept && kept.version === version) {
    console.error(`error: the public API changed but package.json is still ${version}: bump the version (semver) and say what changed in CHANGELOG.md`);
    process.exit(1);
  }
  if (!changelogHas(version)) {
    console.error(`error: CHANGELOG.md has no section "## [${version}]"`);
    process.exit(1);
  }
  mkdirSync('api-report', { recursive: true });
  writeFileSync(REPORT, renderReport(version, dts));
  console.log(changed ? `${REPORT}: updated for ${version}` : reworded ? `${REPORT}: doc comments updated` : `${REPORT}: unchanged`);
} else if (changed) {
  console.warn(`warning: the public API differs from ${REPORT} (npm run api-report after a version bump and a CHANGELOG entry)`);
}
