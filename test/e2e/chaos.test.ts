/**
 * The kill test, short: 10 SIGKILLs of a running agent (two cameras recorded, one of them
 * detected, clips uploaded) at random moments, 2 of the aggregator, each followed by a relaunch;
 * then every loss column must be 0 (scripts/bench/chaos/harness.ts has the checks; `npm run
 * bench -- chaos` runs 100 and 20).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatReport, runChaos } from '../../scripts/bench/chaos/harness.ts';
import { tempDir } from '../support/tmp.ts';

test('10 agent kills and 2 aggregator kills: every segment intact, every hole caused, nothing lost or doubled, no orphan', async () => {
  const dir = tempDir();
  try {
    const report = await runChaos({
      workDir: dir.path,
      agentKills: 10,
      aggregatorKills: 2,
      patternCameras: 1,
      footageCamera: true,
      minClips: 1,
      log: () => {},
    });
    console.log(formatReport(report));
    assert.is(report.agentKills, 10);
    assert.is(report.aggregatorKills, 2);
    assert.ok(report.segments.total > 0, 'footage was recorded');
    assert.ok(report.segments.repaired > 0, 'kills cut segments off, which were repaired');
    assert.ok(report.gaps.byCause['agent-down']! > 0, 'the outages were recorded as agent-down gaps');
    assert.ok(report.events.seenInOutbox > 0 && report.clips.offered > 0, 'events and clips went through the outbox');
    assert.equal(report.failures, [], formatReport(report));
    assert.ok(report.ok);
  } finally {
    dir.cleanup();
  }
});

test.run();
