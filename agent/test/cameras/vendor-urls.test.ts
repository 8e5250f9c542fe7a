/** Vendor URL templates (firmware-profiles) filled for cameras without (complete) ONVIF. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from '@camfleet/shared';
import { fillTemplate, vendorUrls } from '../../src/cameras/vendor-urls.ts';
import { CameraInventory } from '../../src/cameras/inventory.ts';
import { CameraConfigSchema } from '../../src/config.ts';
import { profiles } from '../../src/firmware/index.ts';
import { startOnvifDevice } from '../../../test/sim/onvif/device.ts';

test('templates are filled with host, ports and channel; unknown placeholders are not guessed', () => {
  const hik = profiles().find((p) => p.id === 'hikvision')!;
  assert.equal(vendorUrls(hik, { host: '192.0.2.5', rtspPort: 8554, channel: 2 }), {
    main: 'rtsp://192.0.2.5:8554/Streaming/Channels/201',
    sub: 'rtsp://192.0.2.5:8554/Streaming/Channels/202',
    snapshot: 'http://192.0.2.5/ISAPI/Streaming/channels/201/picture',
  });
  assert.is(fillTemplate('rtsp://{host}:{rtspPort}/{streamToken}', { host: 'cam' }), undefined);
  // a template may not point the camera's credentials at another host
  assert.is(fillTemplate('rtsp://evil.example/{host}', { host: 'cam' }), undefined);
  assert.is(fillTemplate('rtsp://{host}/x', { host: 'fe80::1' }), 'rtsp://[fe80::1]/x');
});

test('the inventory uses a known vendor\'s templates when ONVIF is absent; a configured URL wins', () => {
  const logger = createLogger('t', { level: 'silent' });
  const rtspOnly = CameraConfigSchema.parse({ id: 'door', vendor: 'dahua', host: '192.0.2.6' });
  const configured = CameraConfigSchema.parse({ id: 'yard', vendor: 'dahua', host: '192.0.2.7', rtspUrl: 'rtsp://192.0.2.7/mine' });
  const inv = new CameraInventory([rtspOnly, configured], logger, async () => {
    throw new Error('no ONVIF here');
  });
  assert.is(inv.streamUrl(rtspOnly), 'rtsp://192.0.2.6:554/cam/realmonitor?channel=1&subtype=0');
  assert.is(inv.subStreamUrl(rtspOnly), 'rtsp://192.0.2.6:554/cam/realmonitor?channel=1&subtype=1');
  assert.is(inv.snapshotUrl(rtspOnly), 'http://192.0.2.6/cgi-bin/snapshot.cgi?channel=1');
  assert.is(inv.streamUrl(configured), 'rtsp://192.0.2.7/mine');
  assert.is(inv.subStreamUrl(configured), undefined, 'no guessed sub stream beside a configured main');
  assert.throws(() => CameraConfigSchema.parse({ id: 'x', vendor: 'dahua' }), /vendor and host/);
});

test('an ONVIF camera that names no stream: the family the probe recognised gives the URLs', async () => {
  const logger = createLogger('t', { level: 'silent' });
  // A Tapo whose ONVIF answers the device service but lists no media profile.
  const device = await startOnvifDevice({ manufacturer: 'TP-Link', model: 'Tapo C200', username: 'admin', password: 'pw', profiles: [] });
  try {
    const cam = CameraConfigSchema.parse({ id: 'tapo', onvifUrl: device.url, rtspPort: 8554, username: 'admin', password: { value: 'pw' } });
    const inv = new CameraInventory([cam], logger);
    await inv.probeAll();
    assert.is(inv.entry('tapo').record?.firmwareProfile, 'tp-link-tapo', inv.entry('tapo').probeError);
    assert.is(inv.streamUrl(cam), 'rtsp://127.0.0.1:8554/stream1');
    assert.is(inv.subStreamUrl(cam), 'rtsp://127.0.0.1:8554/stream2');
  } finally {
    await device.close();
  }
});

test.run();
