/**
 * The structure of a consultation page, without its text: the sequence of form-bearing tags (form, input, textarea,
 * select, button, iframe, script src) with the attributes that decide how the form works (name, id, type, action,
 * src). Dates, news and counters on the page do not change it; a new field, a captcha, a moved iframe do. The daily
 * health check opens the browser for a page the plain HTTP look cannot vouch for only when this changed. Pure.
 */
const TAGS = /<(form|input|textarea|select|button|iframe|script)\b([^>]*)>/gi;
const ATTRS = /\b(name|id|type|action|src)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;

export function pageStructure(html: string): string {
  const parts: string[] = [];
  for (const m of html.matchAll(TAGS)) {
    const tag = (m[1] ?? '').toLowerCase();
    const attrs: string[] = [];
    for (const a of (m[2] ?? '').matchAll(ATTRS)) {
      const name = (a[1] ?? '').toLowerCase();
      let value = (a[2] ?? '').replace(/^["']|["']$/g, '');
      // Session tokens and cache-busters in URLs change every load: keep the path only.
      if (name === 'src' || name === 'action') value = value.replace(/[?#].*$/, '');
      attrs.push(`${name}=${value}`);
    }
    if (tag === 'script' && !attrs.some((a) => a.startsWith('src='))) continue;
    parts.push(`${tag}[${attrs.sort().join(',')}]`);
  }
  return parts.join(';');
}
