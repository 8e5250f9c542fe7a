// PullPoint against the simulated camera's event service on loopback: events arrive mapped, the
// subscriber subscribes again after a camera reboot (subscriptions lost), and unsubscribes on stop.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OnvifClient } from '../../src/onvif/client.ts';
import { PullPointSubscriber, type MappedEvent } from '../../src/onvif/events/index.ts';
import { startOnvifDevice } from '../../../test/sim/onvif/device.ts';

async function until<T>(what: string, f: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('events arrive mapped; a reboot loses the subscription and the subscriber comes back; stop unsubscribes', async () => {
  const dev = await startOnvifDevice({ username: 'admin', password: 'pw-1' });
  const events: MappedEvent[] = [];
  const sub = new PullPointSubscriber({
    client: new OnvifClient({ credentials: { username: 'admin', password: 'pw-1' }, timeoutMs: 8_000 }),
    eventServiceUrl: dev.eventServiceUrl!,
    onEvent: (e) => events.push(e),
    pullTimeoutS: 1,
    backoffMs: { min: 100, max: 200 },
  });
  try {
    sub.start();
    await until('a subscription', () => dev.events!.subscriptions === 1);
    dev.events!.emit({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion', data: { IsMotion: 'true' } });
    dev.events!.emit({ topic: 'tns1:RuleEngine/FieldDetector/ObjectsInside', data: { IsInside: 'true' } });
    dev.events!.emit({ topic: 'tns1:Device/Trigger/DigitalInput', data: { LogicalState: 'true' } });
    await until('two events', () => events.length >= 2);
    assert.equal(events.map((e) => [e.kind, e.active]), [['motion', true], ['intrusion', true]]);

    await dev.setOnline(false);
    await dev.setOnline(true);
    await until('a new subscription after the reboot', () => sub.stats.subscriptions >= 2 && dev.events!.subscriptions === 1);
    dev.events!.emit({ topic: 'tns1:RuleEngine/TamperDetector/Tamper', data: { IsTamper: 'true' } });
    await until('the tamper event', () => events.find((e) => e.kind === 'tamper'));
    assert.ok(sub.stats.failures >= 1, 'the lost subscription was noticed');
  } finally {
    await sub.stop();
  }
  assert.is(dev.events!.subscriptions, 0, 'unsubscribed on stop');
  assert.ok(dev.events!.calls.includes('Unsubscribe'));
  await dev.close();
});

test.run();
