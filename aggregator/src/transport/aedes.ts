/**
 * The embedded transport: today's aedes broker (broker/broker.ts) behind the transport port.
 * Ingest runs in aedes' authorizePublish hook, so an agent's PUBACK is written after the commit.
 */
import type { RunningBroker } from '../broker/broker.ts';
import type { AgentTransport } from './port.ts';

export function aedesTransport(broker: RunningBroker): AgentTransport {
  return {
    engine: 'embedded',
    publish: (topic, payload) => broker.publish(topic, payload, 1),
    async disconnectAgent(agentId) {
      broker.disconnectAgent(agentId);
    },
    isConnected: (agentId) => broker.connectedAgents().includes(agentId),
    ready: () => broker.server.listening,
    close: () => broker.close(),
  };
}

/**
 * The embedded broker for code written when there was always one (server.ts' RunningAggregator,
 * tests): with `broker.engine: rabbitmq` there is none, and any use other than reading its port
 * (undefined) fails naming the setting, instead of a vague "cannot read property of undefined".
 */
export function embeddedOnly(broker: RunningBroker | undefined): RunningBroker {
  if (broker) return broker;
  return new Proxy({} as RunningBroker, {
    get(_t, prop) {
      if (prop === 'port' || prop === 'tlsPort' || prop === 'plain' || prop === 'then') return undefined;
      throw new Error(`no embedded broker (broker.engine is rabbitmq): use uplink.transport instead of broker.${String(prop)}`);
    },
  });
}
