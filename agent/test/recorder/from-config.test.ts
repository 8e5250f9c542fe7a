import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempDir } from '../../../test/support/tmp.ts';
import { recordingUrl, RecordingConfigSchema, siteRecorderFromConfig } from '../../src/recorder/from-config.ts';
import { quietLogger } from './helpers.ts';

test('credentials from a SecretRef go into the URL ffmpeg gets, escaped', () => {
  const url = recordingUrl({ id: 'c', rtspUrl: 'rtsp://10.0.0.5:554/Streaming/101', username: 'admin', password: { env: 'PW' } }, { PW: 'p@ss:w/rd' });
  assert.is(url, 'rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/Streaming/101');
});

test('recording section: defaults, strictness; only cameras to record are recorded', () => {
  assert.equal(RecordingConfigSchema.parse({}).segmentSeconds, 10);
  assert.throws(() => RecordingConfigSchema.parse({ segmentSecs: 5 }));
  const dir = tempDir();
  try {
    const rec = siteRecorderFromConfig(
      {
        dataDir: dir.path,
        cameras: [
          { id: 'a', rtspUrl: 'rtsp://127.0.0.1:1/a' },
          { id: 'b', rtspUrl: 'rtsp://127.0.0.1:1/b', record: false },
          { id: 'c' },
        ],
        recording: { segmentSeconds: 4, maxGiB: 1 },
      },
      { logger: quietLogger },
    );
    assert.is(rec.segmentSeconds, 4);
    assert.equal(rec.cameraIds, ['a']);
  } finally {
    dir.cleanup();
  }
});

test.run();
