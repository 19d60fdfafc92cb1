/**
 * The one way huixin defines a Lambda: NodejsFunction on Node 22 / arm64, esbuild-bundled as ESM (minified, with
 * source maps), X-Ray active tracing, its own log group with a retention, sensible memory and timeout. Packages
 * that must not be bundled (e.g. @sparticuz/chromium with its binary) go in `nodeModules`: installed beside
 * the bundle instead.
 *
 *   new HuixinFunction(this, 'SubmitLetter', { entry: 'functions/submit-letter/handler.ts',
 *     memorySize: 2048, timeout: Duration.minutes(2), nodeModules: ['@sparticuz/chromium', 'puppeteer-core'] });
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CALENDAR_FILES_ENV } from '../../shared/adapters/calendar-source.ts';
import { TABLE_SCHEMA } from '../../shared/adapters/dynamo/table-schema.ts';
import { calendarLayer } from './calendar-files.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface HuixinFunctionProps {
  /** Handler file, relative to the repository root (e.g. `functions/ingest-mail/handler.ts`). */
  entry: string;
  /** Exported handler name. Default `handler`. */
  handler?: string;
  description?: string;
  /** Default 512 MB (a headless browser wants 1600+). */
  memorySize?: number;
  /** Default 30 s. */
  timeout?: Duration;
  environment?: Record<string, string>;
  /** Packages kept out of the bundle and installed into the asset's node_modules. */
  nodeModules?: string[];
  /** Default three months: long enough to investigate a quarter's campaign. */
  logRetention?: logs.RetentionDays;
  reservedConcurrentExecutions?: number;
  /** Layers (e.g. fonts for the headless browser). */
  layers?: lambda.ILayerVersion[];
  /** The huixin table: sets HUIXIN_TABLE and grants access (and use of its KMS key). */
  table?: dynamodb.ITable;
  /** Default `readwrite`. */
  tableAccess?: 'read' | 'readwrite';
}

export class HuixinFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HuixinFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the AWSLambdaBasicExecutionRole managed policy: it may write to its own log group only.
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    // Calendar files given at deploy time (-c calendarFiles=…): a layer and HUIXIN_CALENDAR_FILES, in every function.
    const calendars = calendarLayer(this);
    const layers = [...(props.layers ?? []), ...(calendars ? [calendars.layer] : [])];
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      role: this.role,
      entry: path.resolve(REPO_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      ...(props.description ? { description: props.description } : {}),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
      ...(layers.length > 0 ? { layers } : {}),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // In AWS the store is always DynamoDB (never the embedded dynalite); HUIXIN_TABLE comes from the data stack.
        HUIXIN_STORE: 'dynamodb',
        ...(calendars ? { [CALENDAR_FILES_ENV]: calendars.env } : {}),
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        platform: 'node',
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // ESM bundles of CommonJS dependencies need a `require`.
        banner: "import { createRequire as __huixinCreateRequire } from 'node:module'; const require = __huixinCreateRequire(import.meta.url);",
        // The AWS SDK v3 is bundled (our pinned version, the same as locally), not taken from the runtime.
        // dynalite (the embedded store, with a native LevelDB binary) is only imported lazily on one machine: keep it out.
        externalModules: ['dynalite'],
        ...(props.nodeModules && props.nodeModules.length > 0 ? { nodeModules: props.nodeModules } : {}),
      },
    });
    if (props.table) grantTable(this.fn, this.role, props.table, props.tableAccess ?? 'readwrite');
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*".',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned on purpose to Node.js 22: the whole project (package.json engines, the node dev dependency, the tests) runs on 22, and a runtime major change is a deliberate upgrade, not a drift.',
    });
  }
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Least privilege without wildcards (so cdk-nag has nothing to acknowledge, whether the table is in the same
 * stack or imported across stacks): the table and each of its GSIs by name (from table-schema.ts), and its KMS key.
 */
function grantTable(fn: lambda.Function, role: iam.Role, table: dynamodb.ITable, access: 'read' | 'readwrite'): void {
  fn.addEnvironment('HUIXIN_TABLE', table.tableName);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS],
      resources: [table.tableArn, ...TABLE_SCHEMA.globalSecondaryIndexes.map((g) => `${table.tableArn}/index/${g.indexName}`)],
    }),
  );
  if (table.encryptionKey) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions:
          access === 'read'
            ? ['kms:Decrypt', 'kms:DescribeKey']
            : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        resources: [table.encryptionKey.keyArn],
      }),
    );
  }
}
