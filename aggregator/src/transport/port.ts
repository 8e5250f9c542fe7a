/**
 * The transport port: how the centre talks to its agents, whatever carries the MQTT.
 *
 * "Durably accepted" is the one fact every adapter guarantees before an agent's QoS 1 PUBACK:
 * - embedded (aedes): the PUBACK is written after ingest committed the message to the database
 *   (`onAgentMessage` runs in aedes' authorizePublish hook);
 * - rabbitmq: the PUBACK is written after the message is in the ingest quorum queue on a
 *   majority of broker nodes (fsynced to their Raft logs); a consumer acknowledges it to the
 *   queue only after its commit, so a consumer that dies hands its messages to another.
 * Either way the agent's outbox deletes a message only after its PUBACK, so a PUBACK never
 * covers a message the centre could still lose.
 */
export interface AgentTransport {
  readonly engine: 'embedded' | 'rabbitmq';
  /**
   * Publishes to an agent's topic (commands). Reaches the agent whichever broker node it is on.
   * Resolves once the broker has taken the message.
   */
  publish(topic: string, payload: Buffer): Promise<void>;
  /** Cuts an agent's connection(s) on every broker node (after its revocation). */
  disconnectAgent(agentId: string): Promise<void>;
  /** Agents connected now, as far as this instance can tell (embedded: exact; cluster: from presence). */
  isConnected(agentId: string): boolean;
  /** True when the transport can carry messages (readiness). */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * What the transport hands over: one agent message. Resolve after the commit (the adapter then
 * acknowledges); reject when the store failed (the adapter redelivers later).
 */
export type AgentMessageHandler = (agentId: string, topic: string, payload: Buffer) => void | Promise<void>;
