/**
 * huixin's queues: SSE (SQS-managed keys, so EventBridge Scheduler and Lambda need no KMS grants), TLS only, and
 * every message that fails `maxReceiveCount` times parked in a dead-letter queue (kept 14 days) whose depth raises a
 * CloudWatch alarm on the alarm topic — a dead letter is a letter not sent or a campaign not closed: a person looks.
 *
 *   const submit = new QueueWithDlq(this, 'Submit', { alarmTopic, visibilityTimeout: Duration.minutes(18) });
 *   fn.addEventSource(new SqsEventSource(submit.queue, { reportBatchItemFailures: true }));
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueueProps {
  alarmTopic: sns.ITopic;
  /** What ended up here, for the alarm description. */
  description: string;
  /** Default 14 days (the SQS maximum). */
  retentionPeriod?: Duration;
}

/** A dead-letter queue with its depth alarm (also usable alone: Lambda on-failure destinations, schedule DLQs). */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (its depth raises an alarm); a dead-letter queue of a dead-letter queue would hide failures, not handle them.',
    });
    this.alarm = new cloudwatch.Alarm(this, 'Depth', {
      alarmDescription: `huixin: ${props.description} — messages in the dead-letter queue; inspect them, fix the cause, then redrive.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}

export interface QueueWithDlqProps {
  alarmTopic: sns.ITopic;
  /** At least 6× the consuming function's timeout (AWS's advice for Lambda event sources). */
  visibilityTimeout: Duration;
  /** Deliveries before a message is dead-lettered. Default 3. */
  maxReceiveCount?: number;
  /** Default 4 days. */
  retentionPeriod?: Duration;
  /** What the queue carries, for the DLQ alarm. */
  description: string;
}

export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.dlq = new DeadLetterQueue(this, 'Dlq', { alarmTopic: props.alarmTopic, description: props.description });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.dlq.queue, maxReceiveCount: props.maxReceiveCount ?? 3 },
    });
  }
}
