/**
 * @module build
 * Dockerfile parsing, variable substitution and `.dockerignore` matching: pure, for src/engine/build.
 */
export type * from './ast.js';
export { parseDockerfile } from './parser.js';
export { expandWord, expandWords, expandHeredoc, expandError, referencedVars, type Dialect } from './expand.js';
export { parseMount } from './mount.js';
export { dockerMessageOf, withDockerMessage } from './docker-words.js';
export { platformArgs } from './platform.js';
export { dockerignoreCandidates, parseDockerignore, IgnoreMatcher } from './dockerignore.js';
