/**
 * AWS publisher: objects under `s3://BUCKET/PREFIX/vN/…` in a versioned bucket. Every put is conditional
 * (`If-None-Match: *`), so an existing object is never overwritten; bucket versioning keeps history anyway.
 */
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConflictError } from '../../domain/errors.ts';
import type { ReportPublisher } from '../../app/report.ts';

export class S3Publisher implements ReportPublisher {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  private base(): string {
    return this.prefix ? `${this.prefix.replace(/\/+$/, '')}/` : '';
  }

  async versions(): Promise<number[]> {
    const found = new Set<number>();
    let token: string | undefined;
    do {
      const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.base(), Delimiter: '/', ContinuationToken: token }));
      for (const p of r.CommonPrefixes ?? []) {
        const m = /v(\d+)\/$/.exec(p.Prefix ?? '');
        if (m) found.add(Number(m[1]));
      }
      token = r.NextContinuationToken;
    } while (token);
    return [...found].sort((a, b) => a - b);
  }

  async write(version: number, files: ReadonlyArray<{ name: string; body: Uint8Array; contentType: string }>): Promise<string> {
    const dir = `${this.base()}v${version}/`;
    for (const f of files) {
      try {
        await this.s3.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: dir + f.name, Body: f.body, ContentType: f.contentType, IfNoneMatch: '*' }),
        );
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') throw new ConflictError(`s3://${this.bucket}/${dir}${f.name} already exists`);
        throw err;
      }
    }
    return `s3://${this.bucket}/${dir}`;
  }
}
