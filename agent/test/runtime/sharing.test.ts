/** The agent's sharing state: grants per camera from `sharing.update`, durable, and what they allow. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openAgentDb } from '../../src/storage/db.ts';
import { parseSharingUpdate, SHARING_MIGRATIONS, SharingState } from '../../src/runtime/sharing.ts';
import { tempDir } from '../../../test/support/tmp.ts';

test('a grant serves its own levels on its cameras; a revocation, or the centre no longer listing it, ends it', () => {
  const dir = tempDir();
  try {
    const db = openAgentDb(dir.path, SHARING_MIGRATIONS);
    const s = new SharingState(db);
    s.apply(parseSharingUpdate({ grantId: 'g1', change: 'granted', levels: ['clips'], cameras: [{ cameraId: 'door', levels: ['clips', 'snapshots'], grants: ['g1', 'g2'] }] }));
    s.apply(parseSharingUpdate({ grantId: 'g2', change: 'granted', levels: ['snapshots'], cameras: [{ cameraId: 'door', levels: ['clips', 'snapshots'], grants: ['g1', 'g2'] }] }));
    assert.equal(s.mayServe('door', 'g1', 'clips'), { ok: true });
    assert.is((s.mayServe('door', 'g1', 'snapshots') as { code: string }).code, 'level-not-shared', "g1 shares clips only, whatever g2 shares");
    assert.is((s.mayServe('yard', 'g1', 'clips') as { code: string }).code, 'grant-unknown');
    assert.equal(s.mayServe('door', undefined, 'clips'), { ok: true }, 'no grant: the centre decided (owner, state body)');
    s.trackClip('clip-1', 'g1', 'door');
    s.trackClip('clip-2', 'g2', 'door');
    const { revokedClips } = s.apply(parseSharingUpdate({ grantId: 'g1', change: 'revoked', levels: ['clips'], cameras: [{ cameraId: 'door', levels: ['snapshots'], grants: ['g2'] }] }));
    assert.equal(revokedClips, ['clip-1']);
    assert.is((s.mayServe('door', 'g1', 'clips') as { code: string }).code, 'grant-revoked');
    assert.equal(s.mayServe('door', 'g2', 'snapshots'), { ok: true });
    // An update about another grant that no longer lists g2 (expired, or its revocation missed): g2 ends too.
    s.apply(parseSharingUpdate({ grantId: 'g3', change: 'granted', levels: ['health'], cameras: [{ cameraId: 'door', levels: ['health'], grants: ['g3'] }] }));
    assert.is((s.mayServe('door', 'g2', 'snapshots') as { code: string }).code, 'grant-revoked');
    db.close();
    // Durable: a new process reads the same state.
    const again = new SharingState(openAgentDb(dir.path, SHARING_MIGRATIONS));
    assert.is((again.mayServe('door', 'g1', 'clips') as { code: string }).code, 'grant-revoked');
    assert.equal(again.grants('door').map((g) => `${g.grantId}:${g.state}`), ['g1:revoked', 'g2:revoked', 'g3:active']);
  } finally {
    dir.cleanup();
  }
});

test('malformed updates are refused with the field named', () => {
  assert.throws(() => parseSharingUpdate({ change: 'granted', cameras: [] }), /grantId/);
  assert.throws(() => parseSharingUpdate({ grantId: 'g', change: 'maybe', cameras: [{ cameraId: 'c' }] }), /change/);
  assert.throws(() => parseSharingUpdate({ grantId: 'g', change: 'granted', cameras: [{ cameraId: 'c', levels: ['everything'] }] }), /unknown level/);
  assert.throws(() => parseSharingUpdate({ grantId: 'g', change: 'granted', cameras: [{ cameraId: '../x' }] }), /cameraId/);
});

test.run();
