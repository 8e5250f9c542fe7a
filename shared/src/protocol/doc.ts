/**
 * The topic table of shared/README.md, rendered from TOPICS so the document cannot drift from
 * the code (`npm run docs:protocol` rewrites it; a test fails when it is stale).
 */
import { TOPICS, TOPIC_ROOT, type TopicName } from './topics.ts';
import { BODIES } from './messages.ts';

const SCHEMA_NAMES: Record<string, string> = {
  status: 'StatusBody',
  heartbeat: 'HeartbeatBody',
  cameras: 'CamerasBody',
  health: 'HealthBody',
  event: 'EventBody',
  'clip.offer': 'ClipOfferBody',
  'clip.chunk': 'ClipChunkBody',
  reply: 'ReplyBody',
  command: 'CommandBody',
};

export const DOC_BEGIN = '<!-- topics:begin (generated from shared/src/protocol/topics.ts) -->';
export const DOC_END = '<!-- topics:end -->';

export function renderTopicTable(): string {
  const rows = (Object.keys(TOPICS) as TopicName[]).map((name) => {
    const t = TOPICS[name];
    const types = t.types.map((ty) => `\`${ty}\` (${SCHEMA_NAMES[ty] ?? '?'})`).join(', ');
    const dir = t.direction === 'agent-to-aggregator' ? 'agent → aggregator' : 'aggregator → agent';
    return `| \`${TOPIC_ROOT}/agents/<agentId>/${t.suffix}\` | ${dir} | ${t.qos} | ${t.retain ? 'yes' : 'no'} | ${t.outbox ? 'yes' : 'no'} | ${types} | ${t.description} |`;
  });
  return [
    DOC_BEGIN,
    '| topic | direction | QoS | retained | outbox (de-duplicated) | type (body schema) | what |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    DOC_END,
  ].join('\n');
}

/** Every body type has a documented schema name. */
export function undocumentedTypes(): string[] {
  return Object.keys(BODIES).filter((t) => !(t in SCHEMA_NAMES));
}
