/**
 * A throwaway S3-compatible server for tests and `npm run cluster`: s3rver (MIT, pure Node, an
 * npm dev dependency: installs offline with everything else), on a free loopback port, storing
 * under a temp dir. Runs in this process (`startS3Server`) or as a child (`scripts/cluster.ts`).
 */
import { mkdirSync } from 'node:fs';
// s3rver ships CommonJS without types.
// @ts-expect-error no type declarations
import S3rver from 's3rver';

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

export async function startS3Server(dir: string, bucket = 'camfleet', port = 0): Promise<S3Server> {
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({ port, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
  const addr = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${addr.port}`,
    port: addr.port,
    bucket,
    // s3rver's fixed development credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    close: () => server.close(),
  };
}
