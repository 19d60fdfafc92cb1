/** reasonText: what a submission's or a channel check's machine reason means, in the words staff read. */
import { describe, expect, it } from 'vitest';
import { reasonText } from '../../shared/domain/reasons.ts';

describe('reasonText', () => {
  it('says known reasons in Chinese, HTTP statuses with their meaning, and composed reasons part by part', () => {
    expect(reasonText('no-form')).toBe('找不到留言表单');
    expect(reasonText('captcha')).toBe('需要图形验证码');
    expect(reasonText('http-404')).toBe('HTTP 404（页面不存在）');
    expect(reasonText('http-418')).toBe('HTTP 418');
    expect(reasonText('site-error-http-500')).toBe('提交后网站报错 HTTP 500（服务器内部错误）');
    expect(reasonText('sent-then-timeout')).toBe('已发出，随后访问超时，网站无响应（可能已送达，切勿重发）');
    expect(reasonText('unchanged-since-browser-check:captcha')).toBe('需要图形验证码（网页结构未变，沿用浏览器检查结果）');
  });

  it('shows an unknown code as it is, and nothing for none', () => {
    expect(reasonText('something-new')).toBe('something-new');
    expect(reasonText(undefined)).toBe('');
    expect(reasonText('')).toBe('');
  });
});
