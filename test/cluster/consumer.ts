/**
 * One "aggregator instance" for the transport failover test, run as its own process so the test
 * can kill -9 it: consumes the ingest quorum queue through the real RabbitMQ transport and
 * stores each outbox message in a shared SQLite file (WAL, busy timeout: several instances write
 * it) with the (agent, seq) de-duplication in the same transaction as the write, the way ingest
 * does. Acknowledgement to the queue happens only after that commit (the transport's rule).
 *
 * argv: <sqlite file> <amqp url>...
 */
import Database from 'better-sqlite3';
import pino from 'pino';
import { parseTopic, TOPICS } from '@camfleet/shared';
import { startRabbitTransport } from '../../aggregator/src/transport/rabbitmq.ts';

const [file, ...urls] = process.argv.slice(2);
const db = new Database(file!);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 10000');
db.exec(`CREATE TABLE IF NOT EXISTS stored (agent_id TEXT NOT NULL, seq INTEGER NOT NULL, instance INTEGER NOT NULL, PRIMARY KEY (agent_id, seq));
         CREATE TABLE IF NOT EXISTS redelivered (agent_id TEXT NOT NULL, seq INTEGER NOT NULL, instance INTEGER NOT NULL);`);
const insert = db.prepare('INSERT OR IGNORE INTO stored (agent_id, seq, instance) VALUES (?, ?, ?)');
const dup = db.prepare('INSERT INTO redelivered (agent_id, seq, instance) VALUES (?, ?, ?)');
const store = db.transaction((agentId: string, seq: number) => {
  if (insert.run(agentId, seq, process.pid).changes === 0) dup.run(agentId, seq, process.pid);
});

const logger = pino({ level: 'warn' });
const transport = await startRabbitTransport({
  amqpUrls: urls,
  prefetch: 200,
  logger,
  onAgentMessage: async (agentId, topic, payload) => {
    const parsed = parseTopic(topic);
    if (!parsed || !TOPICS[parsed.name].outbox) return;
    const m = JSON.parse(payload.toString()) as { seq: number };
    store(agentId, m.seq);
  },
});
process.stdout.write(`ready ${transport.currentNode()}\n`);
process.on('SIGTERM', () => void transport.close().then(() => process.exit(0)));
