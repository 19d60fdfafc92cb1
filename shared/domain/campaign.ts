/**
 * The campaign state machine (pure):
 *
 *   planned ──start──> running ──close──> closing ──finish──> closed
 *                        │  ▲
 *                  pause │  │ resume
 *                        ▼  │
 *                       paused ──close──> closing
 *   planned | running | paused ──cancel──> cancelled
 *
 * `closed` and `cancelled` are final. Cancelling stops the letters not yet sent (they become `cancelled`);
 * everything already recorded stays. The method is frozen at creation and never changes afterwards.
 */
import { InputError } from './errors.ts';
import { windowEndMs } from './beijing-time.ts';
import { LETTER_STATES, type Campaign, type CampaignState, type Letter, type LetterState, type Method } from './model.ts';

export const CAMPAIGN_ACTIONS = ['start', 'pause', 'resume', 'close', 'finish', 'cancel'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

/** For each action: the states it may start from, and the state it leads to. */
export const TRANSITIONS: Readonly<Record<CampaignAction, { from: readonly CampaignState[]; to: CampaignState }>> = {
  start: { from: ['planned'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  close: { from: ['running', 'paused'], to: 'closing' },
  finish: { from: ['closing'], to: 'closed' },
  cancel: { from: ['planned', 'running', 'paused'], to: 'cancelled' },
};

export const FINAL_CAMPAIGN_STATES: readonly CampaignState[] = ['closed', 'cancelled'];

/** Chinese names for displays. */
export const CAMPAIGN_STATE_LABELS: Readonly<Record<CampaignState, string>> = {
  planned: '已计划',
  running: '进行中',
  paused: '已暂停',
  closing: '结束中',
  closed: '已结束',
  cancelled: '已取消',
};

export function canTransition(from: CampaignState, to: CampaignState): boolean {
  return Object.values(TRANSITIONS).some((t) => t.to === to && t.from.includes(from));
}

/** An action the campaign's state does not allow (the caller's mistake: CLI exit 2). */
export class IllegalTransitionError extends InputError {
  override readonly name = 'IllegalTransitionError';
}

/** The transition of `action` from `state`, or an IllegalTransitionError naming why it is not allowed. */
export function transition(state: CampaignState, action: CampaignAction): CampaignState {
  const t = TRANSITIONS[action];
  if (!t.from.includes(state)) {
    throw new IllegalTransitionError(`cannot ${action} a campaign that is ${state} (only from ${t.from.join('/')})`);
  }
  return t.to;
}

/** Letter states that mean "not sent yet": a cancelled campaign turns these into `cancelled`. */
export const UNSENT_LETTER_STATES: readonly LetterState[] = ['planned', 'queued', 'gated'];

/** Letter states that still wait for a send (a paused campaign holds these). */
export const WAITING_LETTER_STATES: readonly LetterState[] = ['planned', 'queued'];

export type LetterStateCounts = Record<LetterState, number>;

export function countLetterStates(letters: readonly Pick<Letter, 'state'>[]): LetterStateCounts {
  const counts = Object.fromEntries(LETTER_STATES.map((s) => [s, 0])) as LetterStateCounts;
  for (const l of letters) counts[l.state]++;
  return counts;
}

/**
 * A new campaign in state `planned`, with its method frozen (a deep-frozen copy: whatever the caller does to
 * the object it passed in later, the campaign's method stays as it was at creation).
 */
export function newCampaign(input: {
  id: string;
  name: string;
  method: Method;
  createdAt: string;
  windowClosesAt: string;
  siteIds: readonly string[];
  lettersPerSite: number;
}): Campaign {
  return {
    id: input.id,
    name: input.name,
    state: 'planned',
    method: freezeMethod(input.method),
    createdAt: input.createdAt,
    windowClosesAt: input.windowClosesAt,
    siteIds: [...input.siteIds],
    lettersPerSite: input.lettersPerSite,
  };
}

export function freezeMethod(method: Method): Method {
  return deepFreeze(structuredClone(method));
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** True when the two methods are the same (used to refuse any attempt to change a campaign's method). */
export function sameMethod(a: Method, b: Method): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * The instant a campaign's verdicts are judged at: now while it runs; its window close once it is closed — a closed
 * campaign's verdicts are final, whatever the clock of whoever looks at them says.
 */
export function judgementInstant(campaign: Pick<Campaign, 'state' | 'windowClosesAt'>, nowMs: number): number {
  if (campaign.state !== 'closed') return nowMs;
  return windowEndMs(campaign.windowClosesAt);
}
