/**
 * Who may publish and subscribe where: pure functions over the topic table, so the rules are
 * testable without a broker. An agent may publish only its own agent-to-aggregator topics and
 * subscribe only to its own commands topic; everything else is refused.
 */
import { TOPICS, parseTopic, topicFor } from '@camfleet/shared';

export function mayAgentPublish(agentId: string, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed || parsed.agentId !== agentId) return false;
  return TOPICS[parsed.name].direction === 'agent-to-aggregator';
}

export function mayAgentSubscribe(agentId: string, filter: string): boolean {
  return filter === topicFor('commands', agentId);
}

/** Retained messages are allowed only where the topic table says so. */
export function mayRetain(topic: string): boolean {
  const parsed = parseTopic(topic);
  return !!parsed && TOPICS[parsed.name].retain;
}
