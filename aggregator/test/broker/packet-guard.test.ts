/** The packet-size guard reads MQTT fixed headers as bytes arrive, however the stream is split. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MqttPacketGuard } from '../../src/broker/packet-guard.ts';

function packet(bodyBytes: number): Buffer {
  const len: number[] = [];
  let n = bodyBytes;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30, ...len]), Buffer.alloc(bodyBytes, 1)]);
}

test('packets under the limit pass, split anywhere; the first oversized header is reported', () => {
  const stream = Buffer.concat([packet(10), packet(200), packet(1000), packet(5000)]);
  for (const step of [1, 2, 3, 7, 64, stream.length]) {
    const guard = new MqttPacketGuard(1000);
    let reported: number | undefined;
    for (let i = 0; i < stream.length && reported === undefined; i += step) reported = guard.push(stream.subarray(i, i + step));
    assert.is(reported, 5000, `split every ${step} bytes`);
  }
  const ok = new MqttPacketGuard(1000);
  assert.is(ok.push(Buffer.concat([packet(0), packet(999), packet(1000)])), undefined);
  // More than four length bytes is malformed MQTT: reported as infinitely large.
  assert.is(new MqttPacketGuard(2 ** 30).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])), Number.POSITIVE_INFINITY);
});

test.run();
