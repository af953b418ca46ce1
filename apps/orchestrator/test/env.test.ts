import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/env';

describe('readEnv', () => {
  it('names every missing variable and how to get them', () => {
    expect(() => readEnv({ TEMPORAL_ADDRESS: '127.0.0.1:7233' })).toThrow(
      /DATABASE_URL.*S3_ENDPOINT|S3_ENDPOINT.*DATABASE_URL/s,
    );
    expect(() => readEnv({})).toThrow(/mirage up/);
  });

  it('fills the documented defaults', () => {
    const env = readEnv({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      DATABASE_URL: 'postgres://x@127.0.0.1/db',
      S3_ENDPOINT: 'http://127.0.0.1:8333',
      S3_ACCESS_KEY_ID: 'a',
      S3_SECRET_ACCESS_KEY: 'b',
    });
    expect(env).toMatchObject({ TEMPORAL_NAMESPACE: 'default', S3_REGION: 'us-east-1', S3_BUCKET: 'mirage' });
  });
});
