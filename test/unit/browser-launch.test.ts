/**
 * Launch-argument and navigation helpers of the browser adapter (no browser needed): the extra disabled
 * features merge into the one --disable-features switch, /dev/shm is used only where it is safe, and a
 * fragment-only difference is recognised as a same-document navigation.
 */
import { describe, expect, it } from 'vitest';
import { useDevShm, withDisabledFeatures } from '../../shared/adapters/browser/launch.ts';
import { sameDocumentTarget } from '../../shared/adapters/browser/submit-form.ts';

describe('withDisabledFeatures', () => {
  it('merges the features into the single existing --disable-features switch, without duplicates', () => {
    const out = withDisabledFeatures(['--no-sandbox', '--disable-features=IsolateOrigins,site-per-process', '--mute-audio'], ['RenderDocument', 'site-per-process']);
    const switches = out.filter((a) => a.startsWith('--disable-features='));
    expect(switches).toEqual(['--disable-features=IsolateOrigins,site-per-process,RenderDocument']);
    expect(out).toContain('--no-sandbox');
    expect(out).toContain('--mute-audio');
  });

  it('folds several --disable-features switches into one (Chromium would honour only the last)', () => {
    const out = withDisabledFeatures(['--disable-features=A', '--x', '--disable-features=B,A'], ['C']);
    expect(out).toEqual(['--x', '--disable-features=A,B,C']);
  });

  it('adds the switch when there was none', () => {
    expect(withDisabledFeatures(['--x'], ['RenderDocument'])).toEqual(['--x', '--disable-features=RenderDocument']);
  });
});

describe('useDevShm', () => {
  const GB = 1024 ** 3;
  it('never in Lambda, whatever /dev/shm looks like', () => {
    expect(useDevShm({ AWS_LAMBDA_FUNCTION_NAME: 'submit-letter' }, () => 100 * GB)).toBe(false);
  });
  it('locally only when /dev/shm has at least 1 GB free (a 64 MB Docker default would crash renderers)', () => {
    expect(useDevShm({}, () => 24 * GB)).toBe(true);
    expect(useDevShm({}, () => 64 * 1024 ** 2)).toBe(false);
  });
  it('not when /dev/shm cannot be used at all', () => {
    expect(
      useDevShm({}, () => {
        throw new Error('EACCES');
      }),
    ).toBe(false);
  });
  it('HUIXIN_CHROMIUM_DEV_SHM forces the choice either way', () => {
    expect(useDevShm({ HUIXIN_CHROMIUM_DEV_SHM: '0' }, () => 24 * GB)).toBe(false);
    expect(useDevShm({ HUIXIN_CHROMIUM_DEV_SHM: '1' }, () => 0)).toBe(true);
  });
});

describe('sameDocumentTarget', () => {
  it('is true only when the target has a fragment and the rest of the URL is the current one', () => {
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html', 'http://a.gov.cn/hd/index.html#xj')).toBe(true);
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html#xj', 'http://a.gov.cn/hd/index.html#xj')).toBe(true);
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html#xj', 'http://a.gov.cn/hd/index.html#')).toBe(true);
  });
  it('is false for another page, the same page without a fragment, or an unparsable current URL', () => {
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html', 'http://a.gov.cn/hd/write.html#xj')).toBe(false);
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html#xj', 'http://a.gov.cn/hd/index.html')).toBe(false);
    expect(sameDocumentTarget('http://a.gov.cn/hd/index.html?a=1', 'http://a.gov.cn/hd/index.html?a=2#x')).toBe(false);
    expect(sameDocumentTarget('', 'http://a.gov.cn/#x')).toBe(false);
  });
});
