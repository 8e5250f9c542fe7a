/**
 * Commands from the centre, agent side: handlers registered by name (snapshot, reprobe,
 * clip.request, config.apply... plugged in by their modules), each command answered with a
 * `reply` through the outbox: ok with a result, or an error code and message the API shows.
 */
import type { BodyOf, CommandName, Logger, Message } from '@camfleet/shared';

export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type CommandHandler = (args: Record<string, unknown>, command: BodyOf<'command'>) => unknown | Promise<unknown>;

interface Registration {
  handler: CommandHandler;
  reply: boolean;
}

export class CommandDispatcher {
  private readonly handlers = new Map<string, Registration>();
  /** QoS 1 may deliver a command twice; a handled id is not run again. */
  private readonly seen = new Set<string>();
  /**
   * Commands that arrived while held: the runtime holds the dispatcher until every handler is
   * registered, so a command the centre re-sends at connect is never answered 'unsupported'
   * just because the agent was still starting.
   */
  private held: Array<{ message: Message<'command'>; done: () => void }> | undefined;

  constructor(
    private readonly sendReply: (reply: BodyOf<'reply'>) => void,
    private readonly logger: Logger,
    opts: { held?: boolean } = {},
  ) {
    if (opts.held) this.held = [];
  }

  /** Handles the commands that arrived while held, in order, and every later one at once. */
  release(): void {
    const queued = this.held ?? [];
    this.held = undefined;
    for (const q of queued) void this.handle(q.message).finally(q.done);
  }

  /** `reply: false` for transfer control (clip.need) that the centre does not wait on. */
  register(name: CommandName, handler: CommandHandler, opts: { reply?: boolean } = {}): void {
    this.handlers.set(name, { handler, reply: opts.reply ?? true });
  }

  async handle(message: Message<'command'>, now = new Date()): Promise<void> {
    if (this.held) {
      const held = this.held;
      return new Promise((resolve) => held.push({ message, done: resolve }));
    }
    const command = message.body;
    if (this.seen.has(command.commandId)) return;
    this.seen.add(command.commandId);
    if (this.seen.size > 5000) this.seen.delete(this.seen.values().next().value!);

    const registration = this.handlers.get(command.name);
    if (!registration) {
      this.reply(command.commandId, { code: 'unsupported', message: `this agent does not handle '${command.name}'` });
      return;
    }
    if (command.expiresAt && Date.parse(command.expiresAt) < now.getTime()) {
      if (registration.reply) this.reply(command.commandId, { code: 'expired', message: 'the command arrived after its deadline' });
      return;
    }
    try {
      const result = await registration.handler(command.args, command);
      if (registration.reply) this.sendReply({ commandId: command.commandId, ok: true, result });
    } catch (err) {
      const code = err instanceof CommandError ? err.code : 'failed';
      this.logger.warn({ command: command.name, code, err: (err as Error).message }, 'command failed');
      this.reply(command.commandId, { code, message: (err as Error).message });
    }
  }

  private reply(commandId: string, error: { code: string; message: string }): void {
    this.sendReply({ commandId, ok: false, error });
  }
}
