/**
 * @module errdefs
 * Error classes shared by every layer. The code decides the CLI exit status and the HTTP
 * status in one table (see `httpStatusOf` and src/cli/main.ts); nothing classifies an error
 * by its message.
 */

export type ErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'InvalidArgument'
  | 'FailedPrecondition'
  | 'Conflict'
  | 'PermissionDenied'
  | 'Unavailable'
  | 'NotImplemented'
  | 'Canceled'
  | 'Internal';

export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'EngineError';
  }
}

export const notFound = (msg: string, cause?: unknown) => new EngineError('NotFound', msg, { cause });
export const alreadyExists = (msg: string, cause?: unknown) => new EngineError('AlreadyExists', msg, { cause });
export const invalidArgument = (msg: string, cause?: unknown) => new EngineError('InvalidArgument', msg, { cause });
export const failedPrecondition = (msg: string, cause?: unknown) =>
  new EngineError('FailedPrecondition', msg, { cause });
export const conflict = (msg: string, cause?: unknown) => new EngineError('Conflict', msg, { cause });
export const unavailable = (msg: string, cause?: unknown) => new EngineError('Unavailable', msg, { cause });
export const notImplemented = (msg: string) => new EngineError('NotImplemented', msg);
export const internal = (msg: string, cause?: unknown) => new EngineError('Internal', msg, { cause });

/** Every code an `EngineError` may carry (the `satisfies` keeps it complete). */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(Object.keys({
  NotFound: 1, AlreadyExists: 1, InvalidArgument: 1, FailedPrecondition: 1, Conflict: 1, PermissionDenied: 1,
  Unavailable: 1, NotImplemented: 1, Canceled: 1, Internal: 1,
} satisfies Record<ErrorCode, 1>) as ErrorCode[]);
const CODES = new Set<string>(ERROR_CODES);

/**
 * By shape, not only by class: the CLI's per-verb bundles each carry their own copy of this
 * module, so an error thrown by the engine bundle is not an instance of the verb's class.
 */
export function isEngineError(e: unknown, code?: ErrorCode): e is EngineError {
  if (!(e instanceof Error)) return false;
  const c = (e as { code?: unknown }).code;
  return typeof c === 'string' && CODES.has(c) && (code === undefined || c === code);
}

/** Docker's status for each class; the API service and any HTTP client share it. */
const HTTP_STATUS: Record<ErrorCode, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  InvalidArgument: 400,
  FailedPrecondition: 409,
  Conflict: 409,
  PermissionDenied: 403,
  Unavailable: 503,
  NotImplemented: 501,
  Canceled: 499,
  Internal: 500,
};

export function httpStatusOf(e: unknown): number {
  return isEngineError(e) ? HTTP_STATUS[e.code] : 500;
}

/**
 * Carries a container's own exit status (or 126/127) to the CLI edge. It prints nothing:
 * the status is the message.
 */
export class ExitCodeError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.exitCode = exitCode;
    this.name = 'ExitCodeError';
  }
}
