import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_ACTIONS,
  FINAL_CAMPAIGN_STATES,
  IllegalTransitionError,
  TRANSITIONS,
  canTransition,
  countLetterStates,
  newCampaign,
  sameMethod,
  transition,
  type CampaignAction,
} from '../../shared/domain/campaign.ts';
import { InputError } from '../../shared/domain/errors.ts';
import { methodFor } from '../../shared/domain/method.ts';
import { LETTER_STATES, type CampaignState } from '../../shared/domain/model.ts';

const STATES: CampaignState[] = ['planned', 'running', 'paused', 'closing', 'closed', 'cancelled'];

describe('campaign state machine', () => {
  it('follows planned → running → closing → closed, with pause/resume returning to running', () => {
    let s: CampaignState = 'planned';
    s = transition(s, 'start');
    expect(s).toBe('running');
    s = transition(s, 'pause');
    expect(s).toBe('paused');
    s = transition(s, 'resume');
    expect(s).toBe('running');
    s = transition(s, 'close');
    expect(s).toBe('closing');
    s = transition(s, 'finish');
    expect(s).toBe('closed');
  });

  it('allows cancel from planned, running and paused only', () => {
    for (const s of STATES) {
      const allowed = s === 'planned' || s === 'running' || s === 'paused';
      if (allowed) expect(transition(s, 'cancel')).toBe('cancelled');
      else expect(() => transition(s, 'cancel')).toThrow(IllegalTransitionError);
    }
  });

  it('lets a paused campaign close when its window ends', () => {
    expect(transition('paused', 'close')).toBe('closing');
  });

  it('refuses every action from closed and cancelled (final states), as a caller error', () => {
    for (const s of FINAL_CAMPAIGN_STATES) {
      for (const a of CAMPAIGN_ACTIONS) {
        expect(() => transition(s, a)).toThrow(IllegalTransitionError);
        expect(() => transition(s, a)).toThrow(InputError);
      }
    }
  });

  it('refuses illegal actions with a message naming the state', () => {
    expect(() => transition('planned', 'pause')).toThrow(/cannot pause a campaign that is planned/);
    expect(() => transition('running', 'resume')).toThrow(/cannot resume a campaign that is running/);
    expect(() => transition('running', 'finish')).toThrow(/closing/);
  });

  it('never reaches an unknown state and canTransition agrees with transition for any action sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<CampaignAction>(...CAMPAIGN_ACTIONS), { maxLength: 30 }), (actions) => {
        let s: CampaignState = 'planned';
        for (const a of actions) {
          const legal = TRANSITIONS[a].from.includes(s);
          if (!legal) {
            expect(() => transition(s, a)).toThrow(IllegalTransitionError);
            continue;
          }
          const next = transition(s, a);
          expect(canTransition(s, next)).toBe(true);
          expect(STATES).toContain(next);
          s = next;
        }
      }),
    );
  });
});

describe('campaign records', () => {
  it('counts letters per state, with every state present', () => {
    const counts = countLetterStates([{ state: 'planned' }, { state: 'planned' }, { state: 'gated' }, { state: 'submitted' }]);
    expect(counts.planned).toBe(2);
    expect(counts.gated).toBe(1);
    expect(counts.submitted).toBe(1);
    expect(Object.keys(counts).sort()).toEqual([...LETTER_STATES].sort());
    expect(counts.cancelled).toBe(0);
  });

  it('freezes the method at creation: later changes to the input do not reach the campaign, and it cannot be mutated', () => {
    const method = structuredClone(methodFor({ workingDays: 1, calendar: { source: 'chinese-days@1.5.7', years: [2024, 2025, 2026] } })) as {
      workingDays: number;
      calendar: { years: number[] };
    } & Parameters<typeof newCampaign>[0]['method'];
    const c = newCampaign({
      id: 'c0000000000abcdefgh',
      name: '2026年第一季度',
      method,
      createdAt: '2026-01-05T09:00:00+08:00',
      windowClosesAt: '2026-03-31T23:59:59+08:00',
      siteIds: ['6100000001'],
      lettersPerSite: 2,
    });
    method.workingDays = 5;
    method.calendar.years.push(2027);
    expect(c.state).toBe('planned');
    expect(c.method.workingDays).toBe(1);
    expect(c.method.calendar.years).toEqual([2024, 2025, 2026]);
    expect(() => {
      (c.method as { workingDays: number }).workingDays = 3;
    }).toThrow(TypeError);
    expect(sameMethod(c.method, methodFor({ workingDays: 1, calendar: { source: 'chinese-days@1.5.7', years: [2024, 2025, 2026] } }))).toBe(true);
    expect(sameMethod(c.method, methodFor({ workingDays: 2, calendar: { source: 'chinese-days@1.5.7', years: [2024, 2025, 2026] } }))).toBe(false);
  });
});

describe('the instant verdicts are judged at', () => {
  it('is now while a campaign runs, and its window close once it is closed (final verdicts, whatever the viewer\'s clock)', async () => {
    const { judgementInstant } = await import('../../shared/domain/campaign.ts');
    const windowClosesAt = '2026-12-31T17:30:00+08:00';
    const now = Date.parse('2026-11-23T10:00:00Z');
    expect(judgementInstant({ state: 'running', windowClosesAt }, now)).toBe(now);
    expect(judgementInstant({ state: 'closed', windowClosesAt }, now)).toBe(Date.parse(windowClosesAt));
    expect(judgementInstant({ state: 'closed', windowClosesAt }, Date.parse('2027-03-01T00:00:00Z'))).toBe(Date.parse(windowClosesAt));
  });

  it('a closed campaign whose window is a bare date is judged at the end of that Beijing day, as the verdicts read it', async () => {
    const { judgementInstant } = await import('../../shared/domain/campaign.ts');
    const { judgeLetter } = await import('../../shared/domain/timeliness.ts');
    const { loadCalendar } = await import('../../shared/adapters/calendar-source.ts');
    const { formatBeijing } = await import('../../shared/domain/beijing-time.ts');
    const at = judgementInstant({ state: 'closed', windowClosesAt: '2026-03-31' }, Date.parse('2026-03-31T00:00:00Z'));
    expect(formatBeijing(at)).toBe('2026-04-01T00:00:00+08:00');
    // a letter without a reply whose deadline is the window's last day is final (none), not pending
    const j = judgeLetter(
      { submittedAt: '2026-03-30T10:00:00+08:00', workingDays: 1, windowClosesAt: '2026-03-31', asOf: formatBeijing(at) },
      loadCalendar({ env: {} }),
    );
    expect(j.verdict).toBe('none');
  });
});
