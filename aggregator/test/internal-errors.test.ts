/**
 * Issue 13, code hygiene: an error response never carries an internal message (a SQLite error,
 * a stack, a path) to the client; the details go to the log only.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { smallCity } from './fixtures/small-city.ts';

test('a database failure answers 500 "internal" without the database message', async () => {
  const city = await smallCity();
  city.db.close(); // every query now throws "The database connection is not open"
  for (const [who, path] of [['ward-a', '/api/v1/cameras'], ['shop-owner', '/api/v1/audit'], ['ward-a', '/api/v1/events/agent-a/ev-cam-a/snapshot?purpose=public_order']] as const) {
    const res = await city.call(who, 'GET', path);
    assert.is(res.status, 500, path);
    const text = await res.text();
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    assert.is(body.error.code, 'internal');
    assert.not.match(text, /database|sqlite|connection|not open|at \w+ \(/i, `${path}: ${text}`);
  }
});

test.run();
