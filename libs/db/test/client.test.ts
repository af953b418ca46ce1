import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDb } from '../src/index';
import { createTestDatabase } from './test-database';

describe('createDb close()', () => {
  it('resolves only once every connection has ended, so a forced drop right after reaches no open client', async () => {
    const database = await createTestDatabase();
    const handle = createDb(database.url, { maxConnections: 4 });
    const errors: Error[] = [];
    handle.pool.on('error', (error) => errors.push(error));
    let ended = 0;
    handle.pool.on('remove', () => void ended++);
    try {
      await Promise.all([0, 1, 2, 3].map(() => handle.db.execute(sql`select pg_sleep(0.05)`)));
      expect(handle.pool.totalCount).toBe(4);
      await handle.close();
      // pg's pool.end() resolves with 0 of 4 ended; a drop then races the closing clients.
      expect(ended).toBe(4);
    } finally {
      await database.drop();
    }
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});
