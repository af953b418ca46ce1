import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporalConnectionSecurity } from '../src/index';

describe('temporalConnectionSecurity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mirage-tls-'));
  for (const name of ['ca.pem', 'client.pem', 'client.key']) writeFileSync(join(dir, name), `pem of ${name}`);

  it('is plaintext with nothing set, and reads the files of an mTLS setting', () => {
    expect(temporalConnectionSecurity({})).toEqual({});
    expect(temporalConnectionSecurity({ TEMPORAL_TLS: 'false' })).toEqual({});
    const security = temporalConnectionSecurity({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.lab',
    });
    expect(security.tls?.serverNameOverride).toBe('temporal.lab');
    expect(security.tls?.serverRootCACertificate?.toString()).toBe('pem of ca.pem');
    expect(security.tls?.clientCertPair?.crt.toString()).toBe('pem of client.pem');
    expect(security.tls?.clientCertPair?.key.toString()).toBe('pem of client.key');
  });

  it('turns TLS on for an API key (Temporal Cloud) or TEMPORAL_TLS=true', () => {
    expect(temporalConnectionSecurity({ TEMPORAL_API_KEY: 'key' })).toEqual({ tls: {}, apiKey: 'key' });
    expect(temporalConnectionSecurity({ TEMPORAL_TLS: 'true' })).toEqual({ tls: {} });
  });

  it.each([
    [{ TEMPORAL_TLS_CLIENT_KEY_PATH: '/k.pem' }, /must be set together/],
    [{ TEMPORAL_TLS: 'false' as const, TEMPORAL_API_KEY: 'key' }, /TEMPORAL_TLS=false, but/],
    [
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nowhere/ca.pem' },
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH=\/nowhere\/ca.pem: cannot read the file \(ENOENT\)/,
    ],
  ])('names the variables of a setting it cannot use: %j', (env, message) => {
    expect(() => temporalConnectionSecurity(env)).toThrow(message);
  });
});
