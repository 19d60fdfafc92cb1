/**
 * The overview counters follow letter changes exactly: after any sequence of submissions, gating, channel
 * failures and replies made through the counting store, the counters item equals a recount from the letters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../shared/adapters/calendar-source.ts';
import { MemoryLetterStore } from '../../shared/adapters/mail/memory.ts';
import { buildCampaignView, countsOf, overviewFromCounts } from '../../shared/app/api/campaign-view.ts';
import { countingLetterStore, MemoryViewStore, OverviewCounters } from '../../shared/app/api/views.ts';
import { newCampaign } from '../../shared/domain/campaign.ts';
import { methodFor } from '../../shared/domain/method.ts';
import { SITE_CATEGORIES, type Letter, type Site } from '../../shared/domain/model.ts';

const calendar = loadCalendar({ env: {} });
const NOW = '2026-03-06T15:00:00+08:00';
const sites: Site[] = Array.from({ length: 5 }, (_, i) => ({
  id: String(4400000000 + i),
  name: `网站${i}`,
  category: SITE_CATEGORIES[i % 4]!,
  region: i % 2 ? '广东省广州市' : '陕西省',
  homeUrl: `http://s${i}.gov.test/`,
  consultUrl: `http://s${i}.gov.test/zx`,
}));
const campaign = {
  ...newCampaign({ id: 'c0000000000count0001', name: 't', method: methodFor({ workingDays: 1, calendar: calendar.ref }), createdAt: '2026-03-02T08:00:00+08:00', windowClosesAt: '2026-03-27T23:59:59+08:00', siteIds: sites.map((s) => s.id), lettersPerSite: 2 }),
  state: 'running' as const,
};
const letters: Letter[] = sites.flatMap((s, i) =>
  [1, 2].map((ordinal) => ({
    id: `l${i}${ordinal}`,
    campaignId: campaign.id,
    siteId: s.id,
    channelId: `consult:${s.id}`,
    ordinal,
    state: 'planned' as const,
    plannedAt: `2026-03-0${1 + ordinal}T10:00:00+08:00`,
    replyAddress: `r${i}${ordinal}@x.test`,
    title: 't',
    body: 'b',
    questionId: 'q',
    persona: { name: 'n', phone: 'p', email: 'e' },
    version: 1,
    updatedAt: '2026-03-02T08:00:00+08:00',
  })),
);

type Step = { letter: number; action: 'submit' | 'gate' | 'unavailable' | 'reply'; day: number; hour: number };
const step = fc.record({ letter: fc.integer({ min: 0, max: letters.length - 1 }), action: fc.constantFrom('submit', 'gate', 'unavailable', 'reply'), day: fc.integer({ min: 2, max: 6 }), hour: fc.integer({ min: 9, max: 17 }) }) as fc.Arbitrary<Step>;

describe('overview counters', () => {
  it('equal a recount from the letters after any sequence of letter changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        const inner = new MemoryLetterStore();
        await inner.putLetters(letters);
        const views = new MemoryViewStore();
        const clock = { now: () => new Date(NOW) };
        const counters = new OverviewCounters({
          campaigns: { getCampaign: async () => campaign },
          sites: { getSite: async (id) => sites.find((s) => s.id === id) },
          letters: inner,
          calendar,
          clock,
          views,
        });
        const store = countingLetterStore(inner, counters);
        const initial = buildCampaignView(campaign, letters, sites, calendar, NOW);
        await views.save({ campaignId: campaign.id, day: '2026-03-06', computedAt: NOW, counts: countsOf(initial.overview) }, 0);
        for (const s of steps) {
          const l = (await inner.getLetter(letters[s.letter]!.id))!;
          const at = `2026-03-0${s.day}T${String(s.hour).padStart(2, '0')}:00:00+08:00`;
          try {
            if (s.action === 'submit') await store.updateLetter(l.id, ['planned', 'gated'], { state: 'submitted', submittedAt: at });
            if (s.action === 'gate') await store.updateLetter(l.id, ['planned'], { state: 'gated' });
            if (s.action === 'unavailable') await store.updateLetter(l.id, ['planned'], { state: 'unavailable' });
            if (s.action === 'reply' && l.submittedAt && !l.firstReply && Date.parse(at) >= Date.parse(l.submittedAt)) {
              await store.updateLetter(l.id, ['submitted'], { firstReply: { at, source: 'mail', precision: 'instant', eventId: `e${s.letter}` } });
            }
          } catch {
            // a transition the letter's state does not allow: nothing changed
          }
        }
        const stored = (await views.load(campaign.id))!;
        const recount = buildCampaignView(campaign, await inner.lettersOfCampaign(campaign.id), sites, calendar, NOW).overview;
        expect(overviewFromCounts(campaign, stored.counts, NOW)).toEqual(recount);
      }),
      { numRuns: 60 },
    );
  });

  it('are not added to when they are for another day (the next read recounts)', async () => {
    const views = new MemoryViewStore();
    await views.save({ campaignId: 'c', day: '2026-03-05', computedAt: NOW, counts: { letters: 2 } }, 0);
    expect(await views.add('c', '2026-03-06', { letters: 1 })).toBe(false);
    expect((await views.load('c'))!.counts.letters).toBe(2);
    expect(await views.add('c', '2026-03-05', { letters: 1 })).toBe(true);
    expect(await views.save({ campaignId: 'c', day: '2026-03-05', computedAt: NOW, counts: {} }, 0)).toBe(false); // someone added meanwhile
  });
});
