/** Mail authentication verdicts as recorded with a reply. Pure: the mapping from SES receipt verdicts lives here. */
export const AUTH_RESULTS = ['pass', 'fail', 'softfail', 'neutral', 'none', 'temperror', 'permerror', 'policy'] as const;
export type AuthResult = (typeof AUTH_RESULTS)[number];

export interface AuthVerdicts {
  spf: AuthResult;
  dkim: AuthResult;
  dmarc: AuthResult;
  /** Who computed them: mailauth on our own SMTP server, or SES receipt. */
  source: 'mailauth' | 'ses' | 'none';
}

export const NO_AUTH: AuthVerdicts = { spf: 'none', dkim: 'none', dmarc: 'none', source: 'none' };

export function toAuthResult(v: unknown): AuthResult {
  const s = String(v ?? 'none').toLowerCase();
  return (AUTH_RESULTS as readonly string[]).includes(s) ? (s as AuthResult) : 'none';
}

/** SES receipt verdict (`{ status: 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED' }`) → our result. */
export function fromSesVerdict(v: { status?: string } | undefined): AuthResult {
  switch ((v?.status ?? '').toUpperCase()) {
    case 'PASS':
      return 'pass';
    case 'FAIL':
      return 'fail';
    case 'GRAY':
      return 'none'; // SES: "the verdict could not be determined" — neither pass nor fail
    case 'PROCESSING_FAILED':
      return 'temperror';
    default:
      return 'none'; // DISABLED or absent
  }
}

/** The verdicts in an SES receipt (the `receipt` object of an SES inbound event). */
export function authFromSesReceipt(receipt: {
  spfVerdict?: { status?: string };
  dkimVerdict?: { status?: string };
  dmarcVerdict?: { status?: string };
}): AuthVerdicts {
  return {
    spf: fromSesVerdict(receipt.spfVerdict),
    dkim: fromSesVerdict(receipt.dkimVerdict),
    dmarc: fromSesVerdict(receipt.dmarcVerdict),
    source: 'ses',
  };
}
