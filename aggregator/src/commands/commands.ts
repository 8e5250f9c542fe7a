/**
 * Commands from the centre to one agent: stored as pending, published on the agent's commands
 * topic, settled by the agent's reply (ok/error) or by their deadline (timeout). Control
 * commands of the clip transfer (clip.need, clip.cancel) go out without a record or a reply.
 */
import { randomUUID } from 'node:crypto';
import { encodeMessage, makeMessage, topicFor, type BodyOf, type CommandName, type Logger, type Message } from '@camfleet/shared';
import type { Db } from '../db/database.ts';

export type CommandState = 'pending' | 'ok' | 'error' | 'timeout';

export interface CommandRecord {
  commandId: string;
  agentId: string;
  name: string;
  args: Record<string, unknown>;
  state: CommandState;
  result?: unknown;
  error?: { code: string; message: string };
  requestedBy: string | null;
  createdAt: string;
  expiresAt: string;
  completedAt: string | null;
}

export type Publish = (topic: string, payload: Buffer) => Promise<void>;

export class CommandService {
  private seq = 1;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly unmatched: Array<(message: Message<'reply'>) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly publish: Publish,
    private readonly logger: Logger,
  ) {}

  /** Records and sends a command; the returned record is pending. */
  send(agentId: string, name: CommandName, args: Record<string, unknown>, opts: { timeoutMs: number; requestedBy?: string; commandId?: string }): CommandRecord {
    const now = new Date();
    // A caller may choose the id, to write it in the audit trail before the command goes out.
    const commandId = opts.commandId ?? randomUUID();
    const expiresAt = new Date(now.getTime() + opts.timeoutMs).toISOString();
    this.db
      .prepare(
        `INSERT INTO agent_commands (id, agent_id, name, args_json, state, requested_by, created_at, expires_at)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(commandId, agentId, name, JSON.stringify(args), opts.requestedBy ?? null, now.toISOString(), expiresAt);
    this.transmit(agentId, { commandId, name, args, expiresAt }).catch((err: Error) => {
      // The requester reads this record: the broker's own message stays in the log.
      this.logger.warn({ agentId, commandId, err: err.message }, 'command not sent');
      this.settle(commandId, agentId, { ok: false, error: { code: 'send-failed', message: 'the command could not be sent to the agent' } });
    });
    return this.get(commandId)!;
  }

  /**
   * Sends again every pending command of an agent that has just (re)subscribed. A command
   * published between the agent's connect and its subscription, or while it was away (the
   * broker keeps no session across its own restart), would otherwise be lost; the agent
   * ignores a command id it has already handled, so a second copy is harmless.
   */
  resendPending(agentId: string, now = new Date()): number {
    const rows = this.db
      .prepare(`SELECT id, name, args_json, expires_at FROM agent_commands WHERE agent_id = ? AND state = 'pending' AND expires_at > ? ORDER BY created_at`)
      .all(agentId, now.toISOString()) as Array<{ id: string; name: CommandName; args_json: string; expires_at: string }>;
    for (const r of rows) {
      this.transmit(agentId, { commandId: r.id, name: r.name, args: JSON.parse(r.args_json), expiresAt: r.expires_at }).catch((err: Error) =>
        this.logger.warn({ agentId, commandId: r.id, err: err.message }, 'command re-send failed'),
      );
    }
    return rows.length;
  }

  /** A command that needs no reply (clip transfer control). */
  sendControl(agentId: string, name: CommandName, args: Record<string, unknown>): Promise<void> {
    return this.transmit(agentId, { commandId: randomUUID(), name, args });
  }

  private transmit(agentId: string, body: BodyOf<'command'>): Promise<void> {
    const message = makeMessage('command', agentId, this.seq++, body);
    return this.publish(topicFor('commands', agentId), encodeMessage(message));
  }

  /** Settles a pending command from the agent's reply (inside ingest's transaction). */
  handleReply(message: Message<'reply'>): void {
    const { commandId, ok, result, error } = message.body;
    const settled = this.settle(commandId, message.agentId, { ok, result, error });
    if (settled) return;
    for (const l of this.unmatched) l(message);
    this.logger.info({ agentId: message.agentId, commandId }, 'reply to no pending command (late, or to transfer control)');
  }

  /** Replies that settle no recorded command (answers to clip.need, late replies). */
  onUnmatchedReply(listener: (message: Message<'reply'>) => void): void {
    this.unmatched.push(listener);
  }

  private settle(commandId: string, agentId: string, reply: { ok: boolean; result?: unknown; error?: { code: string; message: string } }): boolean {
    const error = reply.ok ? undefined : (reply.error ?? { code: 'failed', message: 'the agent reported a failure' });
    return (
      this.db
        .prepare(
          `UPDATE agent_commands SET state = ?, result_json = ?, error_code = ?, error_message = ?, completed_at = ?
           WHERE id = ? AND agent_id = ? AND state = 'pending'`,
        )
        .run(
          reply.ok ? 'ok' : 'error',
          reply.result === undefined ? null : JSON.stringify(reply.result),
          error?.code ?? null,
          error?.message ?? null,
          new Date().toISOString(),
          commandId,
          agentId,
        ).changes > 0
    );
  }

  /** Marks every pending command past its deadline as timed out. */
  sweep(now = new Date()): number {
    return this.db
      .prepare(
        `UPDATE agent_commands SET state = 'timeout', error_code = 'timeout', error_message = 'the agent did not reply in time', completed_at = ?
         WHERE state = 'pending' AND expires_at <= ?`,
      )
      .run(now.toISOString(), now.toISOString()).changes;
  }

  startSweeper(intervalMs = 1000): void {
    this.sweepTimer = setInterval(() => this.sweep(), intervalMs);
    this.sweepTimer.unref();
  }

  stop(): void {
    clearInterval(this.sweepTimer);
  }

  get(commandId: string): CommandRecord | undefined {
    this.sweep();
    const r = this.db.prepare('SELECT * FROM agent_commands WHERE id = ?').get(commandId) as Record<string, string | null> | undefined;
    if (!r) return undefined;
    return {
      commandId: r.id!,
      agentId: r.agent_id!,
      name: r.name!,
      args: JSON.parse(r.args_json!) as Record<string, unknown>,
      state: r.state as CommandState,
      result: r.result_json ? JSON.parse(r.result_json) : undefined,
      error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : undefined,
      requestedBy: r.requested_by ?? null,
      createdAt: r.created_at!,
      expiresAt: r.expires_at!,
      completedAt: r.completed_at ?? null,
    };
  }
}
