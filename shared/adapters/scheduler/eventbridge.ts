/**
 * The Scheduler port over Amazon EventBridge Scheduler: one one-time `at()` schedule per message, evaluated in
 * Asia/Shanghai (so the expression is Beijing wall-clock time and never drifts through UTC), deleted by the
 * service after it fires, targeting an SQS queue with a retry policy and a dead-letter queue. A schedule group
 * per campaign keeps a campaign's schedules together (and deletable at once).
 */
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { formatBeijing, parseInstant } from '../../domain/beijing-time.ts';
import {
  DEFAULT_SCHEDULE_GROUP,
  checkScheduleName,
  type ScheduleOptions,
  type ScheduleQueue,
  type ScheduleTarget,
  type Scheduler,
} from '../../app/scheduler.ts';

export interface EventBridgeSchedulerOptions {
  client: Pick<SchedulerClient, 'send'>;
  /** The SQS queue ARN for each schedule target. */
  queueArns: Partial<Record<ScheduleQueue, string>>;
  /** The role EventBridge Scheduler assumes to send to the queues (sqs:SendMessage). */
  roleArn: string;
  /** Where a message goes when every retry failed. */
  deadLetterArn: string;
  /** Retry policy for a failed delivery (defaults: 24 hours, 185 attempts — the service maximum). */
  maximumEventAgeInSeconds?: number;
  maximumRetryAttempts?: number;
}

/** `2026-03-02T09:17:00+08:00` → `at(2026-03-02T09:17:00)` in Beijing wall-clock time. */
export function atExpression(at: string): string {
  const local = formatBeijing(Math.floor(parseInstant(at) / 1000) * 1000).slice(0, 19);
  return `at(${local})`;
}

function isNamed(err: unknown, cls: { new (...a: never[]): Error }, name: string): boolean {
  return err instanceof cls || (err instanceof Error && err.name === name);
}

export class EventBridgeScheduler implements Scheduler {
  private readonly groups = new Set<string>([DEFAULT_SCHEDULE_GROUP, 'default']);

  constructor(private readonly options: EventBridgeSchedulerOptions) {}

  private async ensureGroup(group: string): Promise<void> {
    if (this.groups.has(group)) return;
    try {
      await this.options.client.send(new CreateScheduleGroupCommand({ Name: group }));
    } catch (err) {
      if (!isNamed(err, ConflictException, 'ConflictException')) throw err;
    }
    this.groups.add(group);
  }

  async scheduleAt(name: string, at: string, target: ScheduleTarget, options: ScheduleOptions = {}): Promise<void> {
    checkScheduleName('name', name);
    const group = checkScheduleName('group', options.group ?? DEFAULT_SCHEDULE_GROUP);
    const arn = this.options.queueArns[target.queue];
    if (!arn) throw new Error(`no SQS queue ARN configured for schedule target "${target.queue}"`);
    await this.ensureGroup(group);
    try {
      await this.options.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: group,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'Asia/Shanghai',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          State: 'ENABLED',
          Target: {
            Arn: arn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify(target.body),
            DeadLetterConfig: { Arn: this.options.deadLetterArn },
            RetryPolicy: {
              MaximumEventAgeInSeconds: this.options.maximumEventAgeInSeconds ?? 86_400,
              MaximumRetryAttempts: this.options.maximumRetryAttempts ?? 185,
            },
          },
        }),
      );
    } catch (err) {
      // Already there: a re-run of the use case. The name is the idempotency key.
      if (!isNamed(err, ConflictException, 'ConflictException')) throw err;
    }
  }

  async cancel(name: string, options: ScheduleOptions = {}): Promise<void> {
    const group = options.group ?? DEFAULT_SCHEDULE_GROUP;
    try {
      await this.options.client.send(new DeleteScheduleCommand({ Name: checkScheduleName('name', name), GroupName: group }));
    } catch (err) {
      if (!isNamed(err, ResourceNotFoundException, 'ResourceNotFoundException')) throw err;
    }
  }
}

/**
 * The AWS composition: ARNs from the environment the CDK stack sets on a function
 * (HUIXIN_SCHEDULER_ROLE_ARN, HUIXIN_SCHEDULER_DLQ_ARN, HUIXIN_SUBMIT_QUEUE_ARN, HUIXIN_CLOSE_QUEUE_ARN,
 * HUIXIN_DEADLINE_QUEUE_ARN). Missing role/DLQ → Error naming the variable.
 */
export function eventBridgeSchedulerFromEnv(client: Pick<SchedulerClient, 'send'>, env: Record<string, string | undefined> = process.env): EventBridgeScheduler {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set: the EventBridge scheduler needs it`);
    return v;
  };
  const queueArns: Partial<Record<ScheduleQueue, string>> = {};
  if (env.HUIXIN_SUBMIT_QUEUE_ARN) queueArns.submit = env.HUIXIN_SUBMIT_QUEUE_ARN;
  if (env.HUIXIN_CLOSE_QUEUE_ARN) queueArns.close = env.HUIXIN_CLOSE_QUEUE_ARN;
  if (env.HUIXIN_DEADLINE_QUEUE_ARN) queueArns.deadline = env.HUIXIN_DEADLINE_QUEUE_ARN;
  return new EventBridgeScheduler({ client, queueArns, roleArn: need('HUIXIN_SCHEDULER_ROLE_ARN'), deadLetterArn: need('HUIXIN_SCHEDULER_DLQ_ARN') });
}
