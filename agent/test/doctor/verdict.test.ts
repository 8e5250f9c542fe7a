/** The doctor's judgements: each measured figure gives ok / warn / fail with a way out. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  formatReport,
  judgeChrony,
  judgeClockOffset,
  judgeCredentialsMode,
  judgeDiskSpace,
  judgeTimedatectl,
  judgeWriteSpeed,
  parseFfmpegVersion,
  worst,
} from '../../src/doctor/verdict.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

test('ffmpeg -version output gives the version and its major number', () => {
  assert.equal(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers\nbuilt with gcc'), { version: '5.1.9-0+deb12u1', major: 5 });
  assert.equal(parseFfmpegVersion('ffmpeg version n7.1 Copyright'), { version: 'n7.1', major: 7 });
  assert.equal(parseFfmpegVersion('ffmpeg version N-113000-gabc Copyright'), { version: 'N-113000-gabc', major: undefined });
  assert.is(parseFfmpegVersion('bash: ffmpeg: command not found'), undefined);
});

test('disk space: under 1 GiB fails, under 10 GiB or 10 % warns', () => {
  assert.is(judgeDiskSpace('/d', { freeBytes: 0.5 * GiB, totalBytes: 100 * GiB }).status, 'fail');
  assert.is(judgeDiskSpace('/d', { freeBytes: 5 * GiB, totalBytes: 20 * GiB }).status, 'warn');
  assert.is(judgeDiskSpace('/d', { freeBytes: 50 * GiB, totalBytes: 1000 * GiB }).status, 'warn');
  const ok = judgeDiskSpace('/d', { freeBytes: 200 * GiB, totalBytes: 500 * GiB });
  assert.is(ok.status, 'ok');
  assert.is(ok.detail, '200.0 GiB free of 500.0 GiB at /d');
});

test('write speed: under 5 MiB/s fails, under 20 MiB/s warns', () => {
  assert.is(judgeWriteSpeed('/d', 2 * MiB).status, 'fail');
  assert.is(judgeWriteSpeed('/d', 10 * MiB).status, 'warn');
  assert.is(judgeWriteSpeed('/d', 200 * MiB).status, 'ok');
});

test('clock offset against the aggregator: 2 s is fine, more warns, over 30 s fails', () => {
  assert.is(judgeClockOffset(1200, 'the aggregator').status, 'ok');
  assert.is(judgeClockOffset(-5000, 'the aggregator').status, 'warn');
  const bad = judgeClockOffset(90_000, 'the aggregator');
  assert.is(bad.status, 'fail');
  assert.is(bad.detail, 'clock 90.0 s behind the aggregator');
});

test('timedatectl and chrony answers', () => {
  assert.is(judgeTimedatectl('yes\n')?.status, 'ok');
  assert.is(judgeTimedatectl('no\n')?.status, 'warn');
  assert.is(judgeTimedatectl(''), undefined);
  const tracking = 'Reference ID    : C0A80001 (ntp)\nSystem time     : 0.000012345 seconds fast of NTP time\nLeap status     : Normal\n';
  assert.equal(judgeChrony(tracking), { id: 'clock', status: 'ok', detail: 'clock synchronised (chrony, 0.000012345 s fast)' });
  assert.is(judgeChrony('Leap status     : Not synchronised\n')?.status, 'warn');
});

test('credentials must be owner-only', () => {
  assert.is(judgeCredentialsMode('/c', 0o100600).status, 'ok');
  const open = judgeCredentialsMode('/c', 0o100644);
  assert.is(open.status, 'fail');
  assert.is(open.hint, 'chmod 600 /c');
});

test('the report shows one line per item, hints under problems, and the worst status as verdict', () => {
  const results = [
    { id: 'ffmpeg', status: 'ok' as const, detail: 'ffmpeg 5.1' },
    { id: 'clock', status: 'warn' as const, detail: 'not synchronised', hint: 'enable NTP' },
  ];
  assert.is(worst(results), 'warn');
  assert.is(worst([...results, { status: 'fail' }]), 'fail');
  assert.is(formatReport('head', results), 'head\n\nok    ffmpeg  ffmpeg 5.1\nwarn  clock   not synchronised\n              -> enable NTP\n\nverdict: warn (1 ok, 1 warn, 0 fail)');
});

test.run();
