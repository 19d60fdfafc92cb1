/**
 * The one way huixin defines an S3 bucket: S3-managed encryption (SSE-S3: SES's S3 action and S3 server access
 * logging both write with it, no key policy plumbing), every public access blocked, TLS only (enforceSSL, TLS 1.2+),
 * bucket-owner-enforced ownership (no ACLs), server access logs into the given logs bucket under `<id>/`,
 * multipart uploads aborted after a week, RETAIN on stack deletion (evidence and replies are the product).
 * Versioning and lifecycle rules where they matter (`versioned`, `lifecycleRules`).
 *
 *   const logs = SecureBucket.accessLogs(this, 'AccessLogs');
 *   const reports = new SecureBucket(this, 'Reports', { logs, versioned: true }).bucket;
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Where S3 server access logs go (a bucket made by `SecureBucket.accessLogs`). */
  logs: s3.IBucket;
  /** Keep every version of every object (default false). */
  versioned?: boolean;
  /** Expire or transition objects (in addition to aborting stale multipart uploads). */
  lifecycleRules?: s3.LifecycleRule[];
  /** Default RETAIN. */
  removalPolicy?: RemovalPolicy;
}

const COMMON = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
} satisfies s3.BucketProps;

const ABORT_UPLOADS: s3.LifecycleRule = { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) };

export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...COMMON,
      versioned: props.versioned ?? false,
      serverAccessLogsBucket: props.logs,
      serverAccessLogsPrefix: `${id}/`,
      lifecycleRules: [ABORT_UPLOADS, ...(props.lifecycleRules ?? [])],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * The bucket server access logs go to: SSE-S3 (the only encryption S3 log delivery supports), TLS only, no public
   * access, logs expire after `retention` (default 400 days: a year of audits plus a quarter of slack).
   */
  static accessLogs(scope: Construct, id: string, retention: Duration = Duration.days(400)): s3.Bucket {
    const bucket = new s3.Bucket(scope, id, {
      ...COMMON,
      lifecycleRules: [ABORT_UPLOADS, { id: 'expire-logs', expiration: retention }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server-access-logs bucket itself: logging it into itself would loop, and a second log bucket would only move the finding.',
    });
    return bucket;
  }
}
