/**
 * Blobs in an S3 bucket (AWS S3, MinIO, Ceph RGW, SeaweedFS, Garage, s3rver...).
 *
 * Compatibility with S3-compatible servers: path-style addressing (no bucket DNS names), and the
 * SDK's checksums only "when required": since 3.729 the SDK otherwise adds CRC32 checksum headers
 * and trailers to every request, which many servers reject.
 */
import {
  S3Client,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  HeadBucketCommand,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { assertKey, type BlobStore } from './port.ts';

export interface S3BlobConfig {
  endpoint: string;
  region?: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prefix inside the bucket (e.g. 'camfleet/'), so one bucket can hold several deployments. */
  prefix?: string;
  /** Create the bucket when it is missing (tests, `npm run cluster`); production buckets are made by ops. */
  createBucket?: boolean;
}

export class S3BlobStore implements BlobStore {
  readonly engine = 's3' as const;
  readonly client: S3Client;
  private readonly prefix: string;
  private bucketChecked = false;

  constructor(private readonly cfg: S3BlobConfig) {
    this.client = new S3Client({
      endpoint: cfg.endpoint,
      region: cfg.region ?? 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.prefix = cfg.prefix ?? '';
  }

  private k(key: string): string {
    assertKey(key);
    return this.prefix + key;
  }

  private async bucket(): Promise<string> {
    if (!this.bucketChecked && this.cfg.createBucket) {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.cfg.bucket }));
      } catch {
        await this.client.send(new CreateBucketCommand({ Bucket: this.cfg.bucket })).catch((err: Error & { name?: string }) => {
          if (err.name !== 'BucketAlreadyOwnedByYou' && err.name !== 'BucketAlreadyExists') throw err;
        });
      }
      this.bucketChecked = true;
    }
    return this.cfg.bucket;
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: await this.bucket(), Key: this.k(key), Body: data, ContentLength: data.length }));
  }

  async putStream(key: string, data: Readable, bytes: number): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: await this.bucket(), Key: this.k(key), Body: data, ContentLength: bytes }));
  }

  async get(key: string): Promise<Buffer | undefined> {
    const s = await this.read(key);
    if (!s) return undefined;
    const parts: Buffer[] = [];
    for await (const c of s) parts.push(c as Buffer);
    return Buffer.concat(parts);
  }

  async read(key: string): Promise<Readable | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: await this.bucket(), Key: this.k(key) }));
      return r.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async stat(key: string): Promise<{ bytes: number } | undefined> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: await this.bucket(), Key: this.k(key) }));
      return { bytes: Number(r.ContentLength ?? 0) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: await this.bucket(), Key: this.k(key) }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    const p = prefix.replace(/\/$/, '');
    assertKey(p);
    const bucket = await this.bucket();
    let token: string | undefined;
    do {
      const list = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${this.prefix}${p}/`, ContinuationToken: token }));
      const keys = (list.Contents ?? []).map((o) => ({ Key: o.Key! }));
      // DeleteObjects needs a Content-MD5 or checksum header, which the SDK adds as "required";
      // single deletes avoid servers that mishandle it.
      if (keys.length > 0) {
        await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } })).catch(async () => {
          for (const o of keys) await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
        });
      }
      token = list.IsTruncated ? list.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: await this.bucket() }));
      return true;
    } catch {
      return false;
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
