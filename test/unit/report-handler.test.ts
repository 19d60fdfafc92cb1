import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/publish-results/handler.ts';
import { InputError } from '../../shared/domain/errors.ts';

describe('publish-results handler (thin edge)', () => {
  it('rejects an event without a campaign id as bad input, naming the field, before touching any store', async () => {
    await expect(handler({ closedAt: '2026-03-31' })).rejects.toThrow(InputError);
    await expect(handler({})).rejects.toThrow(/campaignId/);
  });

  it('refuses to run without a reports bucket configured', async () => {
    const before = process.env.REPORTS_BUCKET;
    delete process.env.REPORTS_BUCKET;
    try {
      await expect(handler({ campaignId: 'c1' })).rejects.toThrow(/REPORTS_BUCKET/);
    } finally {
      if (before !== undefined) process.env.REPORTS_BUCKET = before;
    }
  });
});
