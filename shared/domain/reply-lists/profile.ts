/**
 * Where a site's public reply list probably is, guessed from its consultation URL when no profile says so.
 * Pure. Known platforms: JACT (大汉) `/jact/front/mailwrite.do` → `mailpublist.do` + `mailsearch.do?searchcode=`,
 * TRS `/wcm/govrefer/write.jsp` → `list.jsp` + `query.jsp?cxm=`. Unknown platforms: null (staff add a profile).
 */
export interface GuessedProfile {
  platform: 'jact' | 'trs';
  /** Template with `{code}` for the 查询码. */
  queryUrl: string;
  listUrl: string;
}

export function guessReplyListProfile(consultUrl: string): GuessedProfile | null {
  let u: URL;
  try {
    u = new URL(consultUrl);
  } catch {
    return null;
  }
  const jact = /^(.*\/jact\/front\/)mail\w*\.do$/i.exec(u.pathname);
  if (jact) {
    const base = `${u.origin}${jact[1]}`;
    const keep = new URLSearchParams();
    const sysid = u.searchParams.get('sysid');
    if (sysid) keep.set('sysid', sysid);
    const q = keep.toString();
    return { platform: 'jact', queryUrl: `${base}mailsearch.do?searchcode={code}${q ? `&${q}` : ''}`, listUrl: `${base}mailpublist.do${q ? `?${q}` : ''}` };
  }
  const trs = /^(.*\/wcm\/govrefer\/)\w+\.jsp$/i.exec(u.pathname);
  if (trs) {
    const base = `${u.origin}${trs[1]}`;
    return { platform: 'trs', queryUrl: `${base}query.jsp?cxm={code}`, listUrl: `${base}list.jsp` };
  }
  return null;
}
