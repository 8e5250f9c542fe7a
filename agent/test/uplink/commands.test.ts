/** The agent's command dispatcher: one reply per command, redeliveries run once, late ones refused. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger, makeMessage, type BodyOf } from '@camfleet/shared';
import { CommandDispatcher, CommandError } from '../../src/uplink/commands.ts';

const logger = createLogger('test', { level: 'silent' });
const command = (commandId: string, name: BodyOf<'command'>['name'], args: Record<string, unknown> = {}, expiresAt?: string) =>
  makeMessage('command', 'site-a-1', 1, { commandId, name, args, expiresAt });

test('results, errors, unknown names, redeliveries and expired commands', async () => {
  const replies: Array<BodyOf<'reply'>> = [];
  const d = new CommandDispatcher((r) => replies.push(r), logger);
  let runs = 0;
  d.register('snapshot', (args) => {
    runs++;
    return { camera: args.cameraId };
  });
  d.register('reprobe', () => {
    throw new CommandError('busy', 'a probe is running');
  });
  d.register('clip.need', () => undefined, { reply: false });

  await d.handle(command('c1', 'snapshot', { cameraId: 'cam1' }));
  await d.handle(command('c1', 'snapshot', { cameraId: 'cam1' })); // QoS 1 redelivery
  await d.handle(command('c2', 'reprobe'));
  await d.handle(command('c3', 'config.apply'));
  await d.handle(command('c4', 'snapshot', {}, new Date(Date.now() - 1000).toISOString()));
  await d.handle(command('c5', 'clip.need', { clipId: 'x', missing: [] }));

  assert.is(runs, 1, 'a redelivered command runs once');
  assert.equal(replies, [
    { commandId: 'c1', ok: true, result: { camera: 'cam1' } },
    { commandId: 'c2', ok: false, error: { code: 'busy', message: 'a probe is running' } },
    { commandId: 'c3', ok: false, error: { code: 'unsupported', message: "this agent does not handle 'config.apply'" } },
    { commandId: 'c4', ok: false, error: { code: 'expired', message: 'the command arrived after its deadline' } },
  ]);
});

test.run();
