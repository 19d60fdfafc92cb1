/** A plain test letter (any field overridden by `p`). */
import type { Letter } from '../shared/domain/model.ts';

export function testLetter(id: string, p: Partial<Letter> = {}): Letter {
  return {
    id,
    campaignId: 'c1',
    siteId: '6108000039',
    channelId: 'ch1',
    ordinal: 1,
    state: 'queued',
    plannedAt: '2026-03-02T01:00:00.000Z',
    replyAddress: `${id}@reply.example.cn`,
    title: '办理居住证需要哪些材料？',
    body: '您好，请问办理居住证需要哪些材料？',
    questionId: 'gen-01',
    persona: { name: '王伟', phone: '13812345678', email: `${id}@reply.example.cn` },
    version: 1,
    updatedAt: '2026-03-02T01:00:00.000Z',
    ...p,
  };
}
