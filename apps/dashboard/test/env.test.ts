import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/env';

describe('the dashboard environment', () => {
  const base = { S3_ENDPOINT: 'http://s3:8333', S3_BUCKET: 'mirage' };

  it('runs on its own read-only role and keys alone: the writer never has to hand it its credentials', () => {
    const env = readEnv({
      ...base,
      DASHBOARD_DATABASE_URL: 'postgres://mirage_dashboard@db/mirage',
      DASHBOARD_S3_ACCESS_KEY_ID: 'r',
      DASHBOARD_S3_SECRET_ACCESS_KEY: 's',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.DASHBOARD_DATABASE_URL).toBe('postgres://mirage_dashboard@db/mirage');
  });

  it('names what is missing when it has neither its own nor the writer credentials', () => {
    expect(() => readEnv(base)).toThrow(
      /DASHBOARD_DATABASE_URL \(or DATABASE_URL\) is required.*DASHBOARD_S3_ACCESS_KEY_ID and DASHBOARD_S3_SECRET_ACCESS_KEY \(or the S3_ pair\) are required/,
    );
  });
});
