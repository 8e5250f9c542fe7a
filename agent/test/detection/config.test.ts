import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DetectionConfig, pipelineSettings } from '../../src/detection/config.ts';

test('an empty config is a working one: people and vehicles, gating, tamper and sound on', () => {
  const c = DetectionConfig.parse({});
  assert.equal(c.classes, ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck']);
  const s = pipelineSettings(c);
  assert.ok(s.motion && s.tamper && s.sound);
  assert.is(s.prerollMs, 5000);
});

test('zones, disabled parts and thresholds come through', () => {
  const c = DetectionConfig.parse({ motion: { zones: [[[0, 0.5], [1, 0.5], [1, 1]]] }, sound: { enabled: false }, tamper: { holdFrames: 5 } });
  const s = pipelineSettings(c);
  assert.equal(s.motion && s.motion.zones, [[[0, 0.5], [1, 0.5], [1, 1]]]);
  assert.is(s.sound, false);
  assert.is(s.tamper && s.tamper.holdFrames, 5);
});

test('bad settings are refused with the key named', () => {
  assert.throws(() => DetectionConfig.parse({ classes: ['tank'] }), /classes/);
  assert.throws(() => DetectionConfig.parse({ motion: { zones: [[[0, 0], [2, 0], [1, 1]]] } }), /zones/);
  assert.throws(() => DetectionConfig.parse({ fps: 2, treshold: 0.3 }), /treshold/);
});

test.run();
