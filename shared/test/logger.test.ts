import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { REDACT_PATHS, redactUrl } from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, logger: pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream) };
}

test('secret fields never reach the log, at any of the first three levels', () => {
  const { lines, logger } = capture();
  logger.info({ password: 'p1', camera: { password: 'p2', auth: { token: 't3' } }, credentials: { a: 1 } }, 'x');
  const out = lines.join('');
  for (const secret of ['p1', 'p2', 't3', '"a":1']) assert.not.ok(out.includes(secret), `${secret} leaked: ${out}`);
});

test('URLs lose their embedded credentials', () => {
  assert.is(redactUrl('rtsp://admin:12345@10.0.0.5:554/Streaming/101'), 'rtsp://10.0.0.5:554/Streaming/101');
  assert.is(redactUrl('http://cam/onvif'), 'http://cam/onvif');
});

test.run();
