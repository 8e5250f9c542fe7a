/**
 * `broker:` in the aggregator's configuration: which transport carries the agents' MQTT.
 *
 *   broker: { engine: embedded }            # default: aedes inside the aggregator (mqtt: settings)
 *   broker:
 *     engine: rabbitmq
 *     amqpUrls: [amqp://camfleet@rmq1:5672, amqp://camfleet@rmq2:5672, amqp://camfleet@rmq3:5672]
 *     password: { env: RABBITMQ_PASSWORD }   # the aggregator's AMQP/management user
 *     managementUrls: [http://rmq1:15672, ...]
 *     authBackend: { host: 10.0.0.5, port: 9090, secret: { file: /etc/camfleet/rmq-auth.secret } }
 */
import { z } from 'zod';
import { SecretRef } from '@camfleet/shared';

export const BrokerConfigSchema = z.discriminatedUnion('engine', [
  z.object({ engine: z.literal('embedded') }).strict(),
  z
    .object({
      engine: z.literal('rabbitmq'),
      /** One per node; user name in the URL, password from `password`. */
      amqpUrls: z.array(z.string().regex(/^amqps?:\/\//)).min(1),
      password: SecretRef.optional(),
      /** Management API of the nodes (closing a revoked agent's connections). */
      managementUrls: z.array(z.string().url()).default([]),
      queue: z.string().default('camfleet.ingest'),
      prefetch: z.number().int().min(1).max(10_000).default(500),
      /** MQTT URL(s) handed to enrolling agents (the balancer or the nodes' names). */
      publicMqttUrl: z.string().optional(),
      /**
       * Where this instance serves RabbitMQ's HTTP auth backend: an internal address the broker
       * nodes reach (loopback when they share the machine), never the public API listener. The
       * secret is the path segment the nodes' `auth_http.*_path` settings carry.
       */
      authBackend: z
        .object({
          host: z.string().default('127.0.0.1'),
          port: z.number().int().min(0).max(65535).default(9090),
          secret: SecretRef,
          ratePerSecond: z.number().positive().default(2000),
        })
        .strict(),
    })
    .strict(),
]);
export type BrokerConfig = z.infer<typeof BrokerConfigSchema>;
