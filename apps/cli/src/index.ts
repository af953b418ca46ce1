export { createProgram } from './program';
export { UserError } from './errors';
