/**
 * The data stack: huixin's single DynamoDB table, built from shared/adapters/dynamo/table-schema.ts (the same
 * definition the local `ensureTable` uses). On-demand, point-in-time recovery, deletion protection, RETAIN.
 *
 * Encryption: a customer-managed KMS key with yearly rotation. The table holds personal data (personas, letters,
 * replies addressed to named officials); a CMK gives an auditable key policy and CloudTrail trail of every decrypt,
 * and lets an operator revoke access independently of IAM — worth its ~1 USD/month for a public-sector service.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLE_SCHEMA, type KeyAttr } from '../../shared/adapters/dynamo/table-schema.ts';

export interface DataStackProps extends StackProps {
  /** Physical table name; the functions get it as HUIXIN_TABLE. Default `huixin`. */
  tableName?: string;
}

const attr = (k: KeyAttr): dynamodb.Attribute => ({ name: k.name, type: dynamodb.AttributeType.STRING });

export class DataStack extends Stack {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    this.key = new kms.Key(this, 'TableKey', {
      description: 'huixin: encrypts the DynamoDB table (letters, replies, registry)',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName ?? 'huixin',
      partitionKey: attr(TABLE_SCHEMA.partitionKey),
      sortKey: attr(TABLE_SCHEMA.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const g of TABLE_SCHEMA.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: g.indexName,
        partitionKey: attr(g.partitionKey),
        sortKey: attr(g.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
