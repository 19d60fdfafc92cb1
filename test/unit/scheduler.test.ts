import { ConflictException, CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, ResourceNotFoundException } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { EventBridgeScheduler, atExpression } from '../../shared/adapters/scheduler/eventbridge.ts';
import { LocalScheduler, MemoryScheduleStore } from '../../shared/adapters/scheduler/local.ts';
import type { Queue } from '../../shared/app/ports.ts';

class RecordingQueue implements Queue<Record<string, unknown>> {
  sent: Record<string, unknown>[] = [];
  failNext = false;
  async send(body: Record<string, unknown>): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('queue down');
    }
    this.sent.push(body);
  }
}

function setup() {
  let now = new Date('2026-03-02T00:00:00Z');
  const store = new MemoryScheduleStore();
  const submit = new RecordingQueue();
  const close = new RecordingQueue();
  const scheduler = new LocalScheduler({ store, queues: { submit, close }, now: () => now });
  return { store, submit, close, scheduler, setNow: (d: string) => (now = new Date(d)) };
}

describe('LocalScheduler', () => {
  it('fires nothing before the time and each due schedule exactly once', async () => {
    const { scheduler, submit } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    await scheduler.scheduleAt('send-b', '2026-03-02T10:10:00+08:00', { queue: 'submit', body: { letterId: 'b' } });
    expect((await scheduler.fireDue('2026-03-02T09:09:59+08:00')).fired).toHaveLength(0);
    expect((await scheduler.fireDue('2026-03-02T09:10:00+08:00')).fired.map((s) => s.name)).toEqual(['send-a']);
    expect((await scheduler.fireDue('2026-03-02T09:30:00+08:00')).fired).toHaveLength(0);
    expect((await scheduler.fireDue('2026-03-03T00:00:00+08:00')).fired.map((s) => s.name)).toEqual(['send-b']);
    expect(submit.sent).toEqual([{ letterId: 'a' }, { letterId: 'b' }]);
  });

  it('is idempotent on the name: scheduling twice keeps one schedule', async () => {
    const { scheduler, submit } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    await scheduler.fireDue('2026-03-05T00:00:00+08:00');
    expect(submit.sent).toHaveLength(1);
  });

  it('keeps the same name apart in different groups', async () => {
    const { scheduler, close } = setup();
    await scheduler.scheduleAt('close', '2026-03-02T09:10:00+08:00', { queue: 'close', body: { campaignId: 'x' } }, { group: 'huixin-x' });
    await scheduler.scheduleAt('close', '2026-03-02T09:10:00+08:00', { queue: 'close', body: { campaignId: 'y' } }, { group: 'huixin-y' });
    await scheduler.fireDue('2026-03-05T00:00:00+08:00');
    expect(close.sent).toHaveLength(2);
  });

  it('never fires a cancelled schedule; cancelling a missing one is a no-op', async () => {
    const { scheduler, submit } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    await scheduler.cancel('send-a');
    await scheduler.cancel('send-nothing');
    expect((await scheduler.fireDue('2026-03-05T00:00:00+08:00')).fired).toHaveLength(0);
    expect(submit.sent).toHaveLength(0);
  });

  it('brings a cancelled schedule back when it is scheduled again (resume after pause)', async () => {
    const { scheduler, submit } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    await scheduler.cancel('send-a');
    await scheduler.scheduleAt('send-a', '2026-03-03T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    expect((await scheduler.fireDue('2026-03-02T23:00:00+08:00')).fired).toHaveLength(0);
    expect((await scheduler.fireDue('2026-03-03T23:00:00+08:00')).fired).toHaveLength(1);
    await scheduler.scheduleAt('send-a', '2026-03-04T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    expect((await scheduler.fireDue('2026-03-05T23:00:00+08:00')).fired).toHaveLength(0);
    expect(submit.sent).toHaveLength(1);
  });

  it('two concurrent fireDue calls send each schedule once', async () => {
    const { scheduler, submit } = setup();
    for (let i = 0; i < 20; i++) await scheduler.scheduleAt(`send-${i}`, '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: `${i}` } });
    await Promise.all([scheduler.fireDue('2026-03-02T10:00:00+08:00'), scheduler.fireDue('2026-03-02T10:00:00+08:00')]);
    expect(submit.sent).toHaveLength(20);
    expect(new Set(submit.sent.map((b) => b.letterId)).size).toBe(20);
  });

  it('sends the schedules due at one moment side by side (a slow send does not hold the others), reporting them in due order', async () => {
    const store = new MemoryScheduleStore();
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const slow: Queue<Record<string, unknown>> = {
      async send(body) {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        sent.push(String(body.letterId));
        inFlight--;
      },
    };
    const scheduler = new LocalScheduler({ store, queues: { submit: slow }, now: () => new Date('2026-03-02T02:00:00Z') });
    for (let i = 0; i < 12; i++) await scheduler.scheduleAt(`send-${i}`, `2026-03-02T09:${String(10 + i).padStart(2, '0')}:00+08:00`, { queue: 'submit', body: { letterId: `${i}` } });
    const r = await scheduler.fireDue('2026-03-02T10:00:00+08:00');
    expect(most).toBeGreaterThan(1);
    expect(r.fired.map((s) => s.name)).toEqual(Array.from({ length: 12 }, (_, i) => `send-${i}`));
    expect(new Set(sent).size).toBe(12);
  });

  it('leaves a schedule due when the queue send fails, and sends it on the next call', async () => {
    const { scheduler, submit } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    submit.failNext = true;
    const first = await scheduler.fireDue('2026-03-02T10:00:00+08:00');
    expect(first.failed).toHaveLength(1);
    expect(first.fired).toHaveLength(0);
    const second = await scheduler.fireDue('2026-03-02T10:00:00+08:00');
    expect(second.fired).toHaveLength(1);
    expect(submit.sent).toEqual([{ letterId: 'a' }]);
  });

  it('re-fires a schedule whose claim crashed only after the lease ran out', async () => {
    const { scheduler, store, submit, setNow } = setup();
    await scheduler.scheduleAt('send-a', '2026-03-02T09:10:00+08:00', { queue: 'submit', body: { letterId: 'a' } });
    setNow('2026-03-02T02:00:00Z'); // 10:00 Beijing
    await store.update('huixin-default/send-a', ['pending'], { state: 'firing', claimedAt: '2026-03-02T10:00:00+08:00' });
    expect((await scheduler.fireDue('2026-03-02T10:01:00+08:00')).fired).toHaveLength(0);
    setNow('2026-03-02T02:06:00Z'); // 10:06: the 5-minute lease has run out
    expect((await scheduler.fireDue('2026-03-02T10:06:00+08:00')).fired).toHaveLength(1);
    expect(submit.sent).toHaveLength(1);
  });

  it('tells the demo when the next schedule is due', async () => {
    const { scheduler } = setup();
    expect(await scheduler.nextDueAt()).toBeUndefined();
    await scheduler.scheduleAt('b', '2026-03-03T09:00:00+08:00', { queue: 'submit', body: {} });
    await scheduler.scheduleAt('a', '2026-03-02T01:30:00Z', { queue: 'submit', body: {} });
    expect(await scheduler.nextDueAt()).toBe('2026-03-02T09:30:00+08:00');
  });

  it('rejects names EventBridge would reject', async () => {
    const { scheduler } = setup();
    await expect(scheduler.scheduleAt('bad name!', '2026-03-02T09:00:00+08:00', { queue: 'submit', body: {} })).rejects.toThrow(/schedule name/);
  });
});

describe('EventBridgeScheduler', () => {
  const fakeClient = (fail?: (cmd: unknown) => Error | undefined) => {
    const sent: unknown[] = [];
    return {
      sent,
      client: {
        send: async (cmd: unknown) => {
          sent.push(cmd);
          const err = fail?.(cmd);
          if (err) throw err;
          return {};
        },
      } as never,
    };
  };
  const options = (client: never) => ({
    client,
    queueArns: { submit: 'arn:aws:sqs:cn-north-1:123456789012:submit', close: 'arn:aws:sqs:cn-north-1:123456789012:close' },
    roleArn: 'arn:aws:iam::123456789012:role/scheduler',
    deadLetterArn: 'arn:aws:sqs:cn-north-1:123456789012:scheduler-dlq',
  });

  it('writes at() in Beijing wall-clock time', () => {
    expect(atExpression('2026-03-02T01:17:00Z')).toBe('at(2026-03-02T09:17:00)');
    expect(atExpression('2026-03-02T09:17:30.250+08:00')).toBe('at(2026-03-02T09:17:30)');
    expect(atExpression('2026-02-13T23:30:00-05:00')).toBe('at(2026-02-14T12:30:00)');
  });

  it('creates a one-time schedule in the campaign group: Asia/Shanghai, DELETE after completion, SQS target with DLQ and retries', async () => {
    const { client, sent } = fakeClient();
    const s = new EventBridgeScheduler(options(client));
    await s.scheduleAt('send-l1', '2026-03-02T09:17:00+08:00', { queue: 'submit', body: { letterId: 'l1' } }, { group: 'huixin-c1' });
    expect(sent[0]).toBeInstanceOf(CreateScheduleGroupCommand);
    const create = sent[1] as CreateScheduleCommand;
    expect(create).toBeInstanceOf(CreateScheduleCommand);
    expect(create.input).toMatchObject({
      Name: 'send-l1',
      GroupName: 'huixin-c1',
      ScheduleExpression: 'at(2026-03-02T09:17:00)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:sqs:cn-north-1:123456789012:submit',
        RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
        Input: '{"letterId":"l1"}',
        DeadLetterConfig: { Arn: 'arn:aws:sqs:cn-north-1:123456789012:scheduler-dlq' },
      },
    });
    expect(create.input.Target?.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    // the group is created once
    await s.scheduleAt('send-l2', '2026-03-02T09:47:00+08:00', { queue: 'submit', body: { letterId: 'l2' } }, { group: 'huixin-c1' });
    expect(sent.filter((c) => c instanceof CreateScheduleGroupCommand)).toHaveLength(1);
  });

  it('treats ConflictException as "already there" (idempotent) and a missing schedule on cancel as done', async () => {
    const { client, sent } = fakeClient((cmd) =>
      cmd instanceof CreateScheduleCommand || cmd instanceof CreateScheduleGroupCommand
        ? new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} })
        : cmd instanceof DeleteScheduleCommand
          ? new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} })
          : undefined,
    );
    const s = new EventBridgeScheduler(options(client));
    await expect(s.scheduleAt('send-l1', '2026-03-02T09:17:00+08:00', { queue: 'submit', body: {} }, { group: 'huixin-c1' })).resolves.toBeUndefined();
    await expect(s.cancel('send-l1', { group: 'huixin-c1' })).resolves.toBeUndefined();
    expect((sent.at(-1) as DeleteScheduleCommand).input).toEqual({ Name: 'send-l1', GroupName: 'huixin-c1' });
  });

  it('passes other errors through, and refuses a target with no queue ARN', async () => {
    const { client } = fakeClient((cmd) => (cmd instanceof CreateScheduleCommand ? new Error('AccessDenied') : undefined));
    const s = new EventBridgeScheduler(options(client));
    await expect(s.scheduleAt('send-l1', '2026-03-02T09:17:00+08:00', { queue: 'submit', body: {} })).rejects.toThrow('AccessDenied');
    await expect(s.scheduleAt('deadline-l1', '2026-03-02T09:17:00+08:00', { queue: 'deadline', body: {} })).rejects.toThrow(/no SQS queue ARN/);
  });
});
