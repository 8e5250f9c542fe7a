/**
 * MQTT topic <-> AMQP routing key, as RabbitMQ's MQTT plugin maps them: '/' and '.' swap places.
 * Agent ids and topic suffixes never contain '.', so the mapping is exact for camfleet topics.
 */
import { TOPIC_ROOT, TOPICS, type TopicName } from '@camfleet/shared';

export function mqttToRoutingKey(topic: string): string {
  return topic.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

export function routingKeyToMqtt(key: string): string {
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** Binding keys for every agent-to-aggregator topic (never the commands topic). */
export function ingestBindingKeys(): string[] {
  return (Object.keys(TOPICS) as TopicName[])
    .filter((n) => TOPICS[n].direction === 'agent-to-aggregator')
    .map((n) => mqttToRoutingKey(`${TOPIC_ROOT}/agents/+/${TOPICS[n].suffix}`).replace('.+.', '.*.'));
}
