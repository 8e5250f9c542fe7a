/**
 * The MQTT topic tree (camfleet/v1, used by protocol v1 and v2): the only place topic names are spelled.
 *
 * Every agent owns the subtree `camfleet/v1/agents/<agentId>/`. It publishes under it and
 * subscribes only to its own `commands` topic; the broker's ACL is derived from this table.
 */
import { TOPIC_TREE_VERSION } from './version.ts';

/** Unchanged by protocol v2 (see version.ts): v1 and v2 agents publish on the same tree. */
export const TOPIC_ROOT = `camfleet/v${TOPIC_TREE_VERSION}`;

/** Who publishes on a topic. */
export type Direction = 'agent-to-aggregator' | 'aggregator-to-agent';

export interface TopicSpec {
  /** Last path element under the agent's subtree (may contain '/'). */
  readonly suffix: string;
  readonly direction: Direction;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** Envelope `type` values allowed on this topic. */
  readonly types: readonly string[];
  /**
   * Whether messages on this topic come from the agent's durable outbox and are therefore
   * de-duplicated by (agentId, seq) on the aggregator. State topics (status, cameras) are not:
   * the latest value wins.
   */
  readonly outbox: boolean;
  readonly description: string;
}

export const TOPICS = {
  status: {
    suffix: 'status',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: true,
    types: ['status'],
    outbox: false,
    description: "Availability: 'online' on connect, 'offline' by the agent's last will or on clean shutdown.",
  },
  heartbeat: {
    suffix: 'heartbeat',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['heartbeat'],
    outbox: false,
    description: 'Periodic liveness with the agent version, build and resource figures.',
  },
  cameras: {
    suffix: 'cameras',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: true,
    types: ['cameras'],
    outbox: false,
    description: "The full list of the site's cameras with their records and latest conformance result.",
  },
  health: {
    suffix: 'health',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['health'],
    outbox: true,
    description: 'Measured health samples per camera and for the agent box.',
  },
  events: {
    suffix: 'events',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['event'],
    outbox: true,
    description: 'Detections, tamper, sound, recording and retention events.',
  },
  clipOffer: {
    suffix: 'clips/offer',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['clip.offer'],
    outbox: true,
    description: 'A clip is ready for upload: its size, sha256, chunking and the segment hashes it came from.',
  },
  clipChunk: {
    suffix: 'clips/chunk',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['clip.chunk'],
    outbox: false,
    description: 'One chunk of a clip, with its own sha256 (resumable; the aggregator says what is missing). v2: a binary frame, the header then the raw bytes.',
  },
  replies: {
    suffix: 'replies',
    direction: 'agent-to-aggregator',
    qos: 1,
    retain: false,
    types: ['reply'],
    outbox: true,
    description: 'The answer to a command, by command id.',
  },
  commands: {
    suffix: 'commands',
    direction: 'aggregator-to-agent',
    qos: 1,
    retain: false,
    types: ['command'],
    outbox: false,
    description: 'Commands from the centre to one agent (clip request, snapshot, re-probe, config, clip transfer control).',
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = keyof typeof TOPICS;

const AGENT_ID_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Agent ids are used inside topic names, so they must never contain MQTT wildcards or '/'. */
export function isValidAgentId(id: string): boolean {
  return AGENT_ID_RE.test(id);
}

export function agentPrefix(agentId: string): string {
  if (!isValidAgentId(agentId)) throw new Error(`invalid agent id '${agentId}'`);
  return `${TOPIC_ROOT}/agents/${agentId}`;
}

export function topicFor(name: TopicName, agentId: string): string {
  return `${agentPrefix(agentId)}/${TOPICS[name].suffix}`;
}

/** A subscription filter matching one topic for every agent (for the aggregator). */
export function filterForAll(name: TopicName): string {
  return `${TOPIC_ROOT}/agents/+/${TOPICS[name].suffix}`;
}

export interface ParsedTopic {
  agentId: string;
  name: TopicName;
}

const bySuffix = new Map<string, TopicName>(
  (Object.keys(TOPICS) as TopicName[]).map((n) => [TOPICS[n].suffix, n]),
);

/** Parses a concrete topic; returns undefined for anything outside the v1 tree. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const prefix = `${TOPIC_ROOT}/agents/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const agentId = rest.slice(0, slash);
  const name = bySuffix.get(rest.slice(slash + 1));
  if (!name || !isValidAgentId(agentId)) return undefined;
  return { agentId, name };
}
