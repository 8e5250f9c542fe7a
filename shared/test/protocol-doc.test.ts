import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { renderTopicTable, undocumentedTypes } from '../src/protocol/doc.ts';

test('shared/README.md documents every topic as the code defines it (run `npm run docs:protocol`)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(renderTopicTable()), 'the topic table in shared/README.md is stale');
});

test('every message type has a documented schema', () => {
  assert.equal(undocumentedTypes(), []);
});

test.run();
