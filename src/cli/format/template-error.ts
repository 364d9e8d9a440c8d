/**
 * @module template-error
 * The one error a template throws, at parse or execution time. It is an invalid-argument
 * engine error: a bad --format is the user's input, and the CLI maps the code to the exit
 * status without reading the message.
 */

import { EngineError } from '../../core/errdefs.js';

export class TemplateError extends EngineError {
  constructor(message: string) {
    super('InvalidArgument', message);
    this.name = 'TemplateError';
  }
}
