/**
 * Debian's haproxy in front of the aggregator instances (HTTP API, dashboard, the RabbitMQ auth
 * backend) and of the RabbitMQ nodes' MQTT listeners, for tests and `npm run cluster`. Runs in
 * the foreground (-db) as a child, on loopback ports, with its config in a temp dir.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChild, type Child } from './processes.ts';

export interface HaproxyOptions {
  dir: string;
  httpPort: number;
  /** HTTP backends: aggregator instances' API ports. */
  api: number[];
  /** Internal frontend for RabbitMQ's auth backend calls, to the instances' auth listeners. */
  authPort?: number;
  auth?: number[];
  /** MQTT frontend to the broker nodes. */
  mqttPort?: number;
  mqtt?: number[];
}

export function haproxyInstalled(): boolean {
  return existsSync('/usr/sbin/haproxy');
}

export function haproxyConfig(o: HaproxyOptions): string {
  const lines = [
    'global',
    // Each proxied connection takes 2 descriptors; a production balancer for 20,000 agents raises
    // its file limit (LimitNOFILE) and this. Here: what a default 20,000-descriptor limit allows.
    '  maxconn 9000',
    'defaults',
    '  timeout connect 3s',
    '  timeout client 60s',
    '  timeout server 60s',
    // Server-sent events and MQTT keep connections open for long.
    '  timeout tunnel 1h',
    '  option redispatch',
    '  retries 2',
    '',
    'frontend api',
    '  mode http',
    `  bind 127.0.0.1:${o.httpPort}`,
    '  default_backend aggregators',
    'backend aggregators',
    '  mode http',
    '  balance roundrobin',
    // An instance that is not ready (database, transport or blob store down) gets no requests;
    // a request whose connection fails or gets no answer is retried on another instance.
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  retry-on conn-failure empty-response response-timeout',
    // A dead instance refuses connections at once (retried elsewhere by redispatch), so checks
    // need not be quick to fail; a live one slowed by load (taking over a killed peer's agents)
    // must not be marked down with it, or both are out and the balancer answers 503 itself.
    '  timeout check 5s',
    '  default-server inter 1s fall 5 rise 2',
    ...o.api.map((p, i) => `  server agg${i} 127.0.0.1:${p} check`),
  ];
  if (o.authPort && o.auth?.length) {
    lines.push(
      '',
      'frontend rabbitmq_auth',
      '  mode http',
      `  bind 127.0.0.1:${o.authPort}`,
      '  default_backend auth_backends',
      'backend auth_backends',
      '  mode http',
      '  balance roundrobin',
      '  retry-on conn-failure empty-response response-timeout',
      // A dead instance refuses connections at once (retried elsewhere by redispatch), so checks
    // need not be quick to fail; a live one slowed by load (taking over a killed peer's agents)
    // must not be marked down with it, or both are out and the balancer answers 503 itself.
    '  timeout check 5s',
    '  default-server inter 1s fall 5 rise 2',
      ...o.auth.map((p, i) => `  server auth${i} 127.0.0.1:${p} check`),
    );
  }
  if (o.mqttPort && o.mqtt?.length) {
    lines.push(
      '',
      'frontend mqtt',
      '  mode tcp',
      `  bind 127.0.0.1:${o.mqttPort}`,
      '  timeout client 3h',
      '  default_backend rabbitmq_mqtt',
      'backend rabbitmq_mqtt',
      '  mode tcp',
      '  balance leastconn',
      '  timeout server 3h',
      // A dead instance refuses connections at once (retried elsewhere by redispatch), so checks
    // need not be quick to fail; a live one slowed by load (taking over a killed peer's agents)
    // must not be marked down with it, or both are out and the balancer answers 503 itself.
    '  timeout check 5s',
    '  default-server inter 1s fall 5 rise 2',
      ...o.mqtt.map((p, i) => `  server rmq${i} 127.0.0.1:${p} check`),
    );
  }
  return lines.join('\n') + '\n';
}

export function startHaproxy(o: HaproxyOptions): Child {
  if (!haproxyInstalled()) throw new Error('haproxy is not installed: apt-get install -y haproxy (scripts/setup.sh does it as root)');
  const cfg = join(o.dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(o));
  return startChild('/usr/sbin/haproxy', ['-db', '-f', cfg]);
}
