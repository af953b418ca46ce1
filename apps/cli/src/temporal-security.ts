import {
  temporalConnectionSecurity,
  TemporalSecurityError,
  type TemporalConnectionSecurity,
} from '@mirage/local-stack';
import type { CliEnv } from './env';
import { UserError } from './errors';

/** The TLS / API-key options the environment asks for; a bad setting is a user error naming the variable. */
export function cliTemporalSecurity(env: CliEnv): TemporalConnectionSecurity {
  try {
    return temporalConnectionSecurity(env);
  } catch (error) {
    if (error instanceof TemporalSecurityError) throw new UserError(error.message);
    throw error;
  }
}
