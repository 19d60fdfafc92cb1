/**
 * The default fleet: N simulated Shaanxi government sites with mixed variants and reply behaviours in
 * realistic proportions (cf. the Shaanxi 2020 Q1 通报: most reply in time, a large minority never, a few late,
 * a few channels unusable), their registry rows, and what every letter's verdict should come out as.
 * Deterministic for a seed.
 */
import { stringify } from 'csv-stringify/sync';
import type { Site, SiteCategory, SiteResult } from '../shared/domain/model.ts';
import { REGISTRY_COLUMNS } from '../shared/domain/registry.ts';
import type { MailStyle, ReplyPlan, SiteSpec, VariantName } from './types.ts';
import { pick, rng } from './util.ts';

export type Behaviour =
  | 'same-day'
  | 'on-time'
  | 'late'
  | 'never'
  | 'auto-ack-only'
  | 'unavailable'
  | 'gated'
  | 'redirect-12345'
  | 'unconfirmed';

/** Weights per 60 sites. */
const WEIGHTS: ReadonlyArray<readonly [Behaviour, number]> = [
  ['same-day', 6],
  ['on-time', 19],
  ['late', 6],
  ['never', 9],
  ['auto-ack-only', 3],
  ['unavailable', 5],
  ['gated', 6],
  ['redirect-12345', 4],
  ['unconfirmed', 2],
];

const FORM_VARIANTS: readonly VariantName[] = ['jact', 'trs', 'aspnet', 'gbk', 'iframe', 'two-step', 'xhr-modal', 'multipart', 'csrf', 'confirm-preview'];
const BROKEN_VARIANTS: readonly VariantName[] = ['not-found', 'server-error', 'no-form', 'site-error'];
const GATED_VARIANTS: readonly VariantName[] = ['captcha', 'sms', 'login'];

export interface FleetSite {
  spec: SiteSpec;
  site: Omit<Site, 'homeUrl' | 'consultUrl'>;
  behaviour: Behaviour;
}

export interface ExpectedVerdict {
  siteId: string;
  siteKey: string;
  variant: VariantName;
  behaviour: Behaviour;
  /** The letter state the submission engine should reach. */
  letterState: 'submitted' | 'unconfirmed' | 'gated' | 'unavailable';
  /** Verdict of every letter of the site once the window closed (gated: until staff submit by hand). */
  verdict: 'same-day' | 'on-time' | 'late' | 'none' | 'unavailable' | 'gated';
  /** The 通报 category of the site (undefined for a gated site: it depends on what staff do). */
  siteResult: SiteResult | undefined;
  /** Where the real reply shows up (absent when there is none). */
  replyVia?: ReplyPlan['via'];
  /** Reply sent this many official working days after the submission date (0 = same day). */
  replyAfterWorkingDays?: number;
}

export interface Fleet {
  seed: number;
  sites: FleetSite[];
  specs: SiteSpec[];
  /** Registry rows, with URLs on a running sandbox. */
  registry(sandbox: { urlOf(key: string): string; consultUrlOf(key: string): string }): Site[];
  /** The same rows as a registry CSV with the Chinese headers (`huixin sites import` reads it). */
  registryCsv(sandbox: { urlOf(key: string): string; consultUrlOf(key: string): string }): string;
  /** What each site's letters should be judged, for a campaign deadline of `workingDays` (default 1). */
  expectedVerdicts(options?: { workingDays?: number }): ExpectedVerdict[];
}

interface Candidate {
  name: string;
  office: string;
  category: SiteCategory;
  region: string;
  regionCode: string;
}

const PROVINCE = { name: '陕西省', code: '610000' };
const CITIES: ReadonlyArray<readonly [string, string]> = [
  ['西安市', '610100'], ['铜川市', '610200'], ['宝鸡市', '610300'], ['咸阳市', '610400'], ['渭南市', '610500'],
  ['延安市', '610600'], ['汉中市', '610700'], ['榆林市', '610800'], ['安康市', '610900'], ['商洛市', '611000'],
];
const COUNTIES: ReadonlyArray<readonly [string, string, string]> = [
  ['西安市', '新城区', '610102'], ['西安市', '碑林区', '610103'], ['西安市', '莲湖区', '610104'], ['西安市', '灞桥区', '610111'],
  ['西安市', '未央区', '610112'], ['西安市', '雁塔区', '610113'], ['西安市', '阎良区', '610114'], ['西安市', '临潼区', '610115'],
  ['西安市', '长安区', '610116'], ['西安市', '高陵区', '610117'], ['西安市', '鄠邑区', '610118'], ['西安市', '蓝田县', '610122'],
  ['西安市', '周至县', '610124'], ['宝鸡市', '渭滨区', '610302'], ['宝鸡市', '金台区', '610303'], ['宝鸡市', '陈仓区', '610304'],
  ['宝鸡市', '凤翔区', '610305'], ['宝鸡市', '岐山县', '610323'], ['宝鸡市', '扶风县', '610324'], ['宝鸡市', '眉县', '610326'],
  ['咸阳市', '秦都区', '610402'], ['咸阳市', '杨陵区', '610403'], ['咸阳市', '渭城区', '610404'], ['咸阳市', '三原县', '610422'],
  ['咸阳市', '泾阳县', '610423'], ['咸阳市', '乾县', '610424'], ['咸阳市', '礼泉县', '610425'],
];
const PROVINCIAL_DEPTS = [
  '教育厅', '公安厅', '民政厅', '司法厅', '财政厅', '人力资源和社会保障厅', '自然资源厅', '生态环境厅', '住房和城乡建设厅', '交通运输厅',
  '水利厅', '农业农村厅', '商务厅', '文化和旅游厅', '卫生健康委员会', '应急管理厅', '市场监督管理局', '医疗保障局', '林业局', '政务服务管理局',
];
const LOCAL_DEPTS = ['教育局', '人力资源和社会保障局', '住房和城乡建设局', '市场监督管理局', '民政局', '卫生健康委员会', '医疗保障局', '自然资源和规划局'];

/** Every site the fleet can draw from, by category. */
function candidates(): Record<SiteCategory, Candidate[]> {
  const prov: Candidate[] = [{ name: '陕西省人民政府门户网站', office: '陕西省人民政府办公厅', category: '省政府门户', region: '陕西省', regionCode: PROVINCE.code }];
  const depts = PROVINCIAL_DEPTS.map((d) => ({ name: `陕西省${d}网站`, office: `陕西省${d}`, category: '省级部门' as const, region: '陕西省', regionCode: PROVINCE.code }));
  const portals: Candidate[] = [
    ...CITIES.map(([c, code]) => ({ name: `${c}人民政府门户网站`, office: `${c}人民政府办公室`, category: '市县政府门户' as const, region: `陕西省${c}`, regionCode: code })),
    ...COUNTIES.map(([c, k, code]) => ({ name: `${c}${k}人民政府网站`, office: `${c}${k}人民政府办公室`, category: '市县政府门户' as const, region: `陕西省${c}${k}`, regionCode: code })),
  ];
  const local: Candidate[] = [];
  for (const d of LOCAL_DEPTS) for (const [c, code] of CITIES) local.push({ name: `${c}${d}网站`, office: `${c}${d}`, category: '市县部门', region: `陕西省${c}`, regionCode: code });
  for (const d of LOCAL_DEPTS) for (const [c, k, code] of COUNTIES) local.push({ name: `${c}${k}${d}网站`, office: `${c}${k}${d}`, category: '市县部门', region: `陕西省${c}${k}`, regionCode: code });
  return { 省政府门户: prov, 省级部门: depts, 市县政府门户: portals, 市县部门: local };
}

/** Largest-remainder allocation of `count` over weights; every weight gets ≥ 1 when count allows. */
function allocate<T>(count: number, weights: ReadonlyArray<readonly [T, number]>): Map<T, number> {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const out = new Map<T, number>();
  const rema: Array<[T, number]> = [];
  let used = 0;
  for (const [k, w] of weights) {
    const exact = (count * w) / total;
    const base = count >= weights.length ? Math.max(1, Math.floor(exact)) : Math.floor(exact);
    out.set(k, base);
    used += base;
    rema.push([k, exact - Math.floor(exact)]);
  }
  rema.sort((a, b) => b[1] - a[1]);
  for (let i = 0; used < count; i = (i + 1) % rema.length) {
    const k = (rema[i] as [T, number])[0];
    out.set(k, (out.get(k) ?? 0) + 1);
    used++;
  }
  // over-allocation from the ≥ 1 floor: take back from the largest
  while (used > count) {
    const [k] = [...out].sort((a, b) => b[1] - a[1])[0] as [T, number];
    out.set(k, (out.get(k) ?? 0) - 1);
    used--;
  }
  return out;
}

function shuffle<T>(r: () => number, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

export const MAX_FLEET = 1 + PROVINCIAL_DEPTS.length + CITIES.length + COUNTIES.length + LOCAL_DEPTS.length * (CITIES.length + COUNTIES.length);

export function defaultFleet(options: { count?: number; seed?: number } = {}): Fleet {
  const count = options.count ?? 60;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_FLEET) throw new RangeError(`fleet size must be 1..${MAX_FLEET}, got ${count}`);
  const r = rng(seed);

  // sites: the province portal, then ~30% 省级部门, ~40% 市县政府门户, the rest 市县部门 (as in the Shaanxi 通报)
  const pool = candidates();
  const byCat = allocate(Math.max(0, count - 1), [
    ['省级部门', 30],
    ['市县政府门户', 40],
    ['市县部门', 30],
  ] as const);
  const chosen: Candidate[] = [pool['省政府门户'][0] as Candidate];
  for (const cat of ['省级部门', '市县政府门户', '市县部门'] as const) {
    const want = byCat.get(cat) ?? 0;
    chosen.push(...shuffle(r, [...pool[cat]]).slice(0, want));
  }
  // a small category may run out at large counts: top up from 市县部门, the biggest
  const rest = shuffle(r, [...pool['市县部门'], ...pool['市县政府门户'], ...pool['省级部门']].filter((c) => !chosen.includes(c)));
  while (chosen.length < count) chosen.push(rest.shift() as Candidate);

  const behaviours = shuffle(
    r,
    [...allocate(count, WEIGHTS)].flatMap(([b, n]) => Array.from({ length: n }, () => b)),
  );
  const seqByRegion = new Map<string, number>();
  let form = 0;
  let broken = 0;
  let gated = 0;
  let slowGiven = false;
  const sites: FleetSite[] = chosen.map((c, i) => {
    const behaviour = behaviours[i] as Behaviour;
    const seq = (seqByRegion.get(c.regionCode) ?? 0) + 1;
    seqByRegion.set(c.regionCode, seq);
    const id = `${c.regionCode}${String(seq).padStart(4, '0')}`;
    const key = `sx${String(i + 1).padStart(3, '0')}`;
    let variant: VariantName;
    if (behaviour === 'unavailable') variant = BROKEN_VARIANTS[broken++ % BROKEN_VARIANTS.length] as VariantName;
    else if (behaviour === 'gated') variant = GATED_VARIANTS[gated++ % GATED_VARIANTS.length] as VariantName;
    else if (behaviour === 'redirect-12345') variant = 'redirect-12345';
    else if (behaviour === 'unconfirmed') variant = 'no-confirmation';
    else if (behaviour === 'on-time' && !slowGiven && count >= 20) {
      variant = 'slow';
      slowGiven = true;
    } else variant = FORM_VARIANTS[form++ % FORM_VARIANTS.length] as VariantName;

    const via = pick(r, ['both', 'both', 'mail', 'list'] as const);
    let reply: ReplyPlan;
    switch (behaviour) {
      case 'same-day':
        reply = { reply: 'same-day', via, ackFirst: r() < 0.3 };
        break;
      case 'late':
        reply = { reply: { afterWorkingDays: pick(r, [3, 4, 5]) }, via, ackFirst: r() < 0.5 };
        break;
      case 'never':
        reply = { reply: 'never', via: 'both' };
        break;
      case 'auto-ack-only':
        reply = { reply: 'auto-ack-only', via: 'mail' };
        break;
      case 'redirect-12345':
        reply = { reply: { afterWorkingDays: 1 }, via: pick(r, ['list', 'both'] as const) };
        break;
      case 'unconfirmed':
        reply = { reply: 'same-day', via: 'mail' };
        break;
      default: // on-time, and what gated/unavailable sites would do once a letter gets through
        reply = { reply: { afterWorkingDays: 1 }, via, ackFirst: r() < 0.3 };
    }
    const mailStyle: MailStyle = variant === 'gbk' ? 'gbk' : pick(r, ['utf8-qp', 'utf8-base64', 'utf8-base64', 'gbk', 'html-only'] as const);
    const spec: SiteSpec = { key, variant, name: c.name, office: c.office, siteCode: id, reply, mailStyle, noInReplyTo: r() < 0.4 };
    return { spec, behaviour, site: { id, name: c.name, category: c.category, region: c.region, supervisorEmail: `zwgk${c.regionCode}@sx.sandbox.gov.cn` } };
  });

  return {
    seed,
    sites,
    specs: sites.map((s) => s.spec),
    registry: (sb) => sites.map((s) => ({ ...s.site, homeUrl: sb.urlOf(s.spec.key), consultUrl: sb.consultUrlOf(s.spec.key) })),
    registryCsv(sb) {
      const cols = Object.keys(REGISTRY_COLUMNS) as Array<keyof typeof REGISTRY_COLUMNS>;
      const rows = this.registry(sb).map((r) => cols.map((c) => r[c] ?? ''));
      return stringify([cols.map((c) => REGISTRY_COLUMNS[c]), ...rows], { bom: true });
    },
    expectedVerdicts: ({ workingDays = 1 } = {}) =>
      sites.map((s): ExpectedVerdict => {
        const base = { siteId: s.site.id, siteKey: s.spec.key, variant: s.spec.variant, behaviour: s.behaviour };
        const plan = s.spec.reply as ReplyPlan;
        if (s.behaviour === 'unavailable') return { ...base, letterState: 'unavailable', verdict: 'unavailable', siteResult: 'unavailable' };
        if (s.behaviour === 'gated') return { ...base, letterState: 'gated', verdict: 'gated', siteResult: undefined };
        const letterState = s.behaviour === 'unconfirmed' ? 'unconfirmed' : 'submitted';
        if (plan.reply === 'never' || plan.reply === 'auto-ack-only') return { ...base, letterState, verdict: 'none', siteResult: 'none' };
        const n = plan.reply === 'same-day' ? 0 : plan.reply.afterWorkingDays;
        const verdict = n === 0 ? 'same-day' : n <= workingDays ? 'on-time' : 'late';
        return { ...base, letterState, verdict, siteResult: verdict === 'late' ? 'late' : 'on-time', replyVia: plan.via, replyAfterWorkingDays: n };
      }),
  };
}
