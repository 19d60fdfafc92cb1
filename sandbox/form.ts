/** Form fields as real consultation pages label them, rendered three ways, and validated server-side. */
import type { LetterFields } from './types.ts';
import { charCount, esc } from './util.ts';

export interface FieldDef {
  key: keyof LetterFields;
  /** The form name (xm, lxdh, ctl00$…$txtName…). */
  name: string;
  label: string;
  required?: boolean;
  maxlength?: number;
  control?: 'text' | 'tel' | 'email' | 'textarea' | 'select' | 'radio';
  options?: readonly string[];
  placeholder?: string;
  id?: string;
}

export type Layout = 'table' | 'label-for' | 'placeholder';

export const LETTER_TYPES = ['咨询', '投诉', '建议', '求助'] as const;
export const PUBLIC_OPTIONS = ['是', '否'] as const;

function control(f: FieldDef, layout: Layout): string {
  const id = f.id ?? f.name.replace(/[^A-Za-z0-9_]/g, '_');
  const ml = f.maxlength ? ` maxlength="${f.maxlength}"` : '';
  const ph = layout === 'placeholder' || f.placeholder ? ` placeholder="${esc(f.placeholder ?? `请输入${f.label}`)}"` : '';
  const kind = f.control ?? 'text';
  switch (kind) {
    case 'textarea':
      return `<textarea id="${id}" name="${esc(f.name)}"${ml}${ph}></textarea>${f.maxlength ? `<div class="tip">（限${f.maxlength}字以内）</div>` : ''}`;
    case 'select':
      return `<select id="${id}" name="${esc(f.name)}"><option value="">${layout === 'placeholder' ? `请选择${esc(f.label)}` : '请选择'}</option>${(f.options ?? [])
        .map((o) => `<option value="${esc(o)}">${esc(o)}</option>`)
        .join('')}</select>`;
    case 'radio':
      return (f.options ?? [])
        .map((o, i) => `<input type="radio" id="${id}_${i}" name="${esc(f.name)}" value="${esc(o)}"${i === 0 && f.key === 'public' ? ' checked' : ''}><label for="${id}_${i}">${esc(o)}</label>`)
        .join(' ');
    default:
      return `<input type="${kind}" id="${id}" name="${esc(f.name)}"${ml}${ph}>`;
  }
}

/** The fields of a form in one of the three layouts real sites use. */
export function renderFields(fields: readonly FieldDef[], layout: Layout): string {
  const star = (f: FieldDef) => (f.required ? '<span class="red">*</span>' : '');
  if (layout === 'table') {
    return `<table class="form-table">${fields
      .map((f) => `<tr><td class="lbl">${star(f)}${esc(f.label)}：</td><td>${control(f, layout)}</td></tr>`)
      .join('\n')}</table>`;
  }
  if (layout === 'label-for') {
    return fields
      .map((f) => {
        const id = f.id ?? f.name.replace(/[^A-Za-z0-9_]/g, '_');
        const lbl = f.control === 'radio' ? `<span class="lbl">${esc(f.label)}</span>` : `<label for="${id}">${esc(f.label)}</label>`;
        return `<div class="form-item">${star(f)}${lbl}${control(f, layout)}</div>`;
      })
      .join('\n');
  }
  // placeholders only: no labels beside text inputs (radios still carry their own option labels)
  return fields
    .map((f) => `<div class="form-item">${f.control === 'radio' ? `${esc(f.label)}：` : ''}${control(f, layout)}${star(f)}</div>`)
    .join('\n');
}

/** Map decoded form fields to the normalised letter. */
export function extractLetter(fields: readonly FieldDef[], values: Record<string, string>): LetterFields {
  const out: LetterFields = {};
  for (const f of fields) {
    const v = values[f.name];
    if (v !== undefined) out[f.key] = v.trim();
  }
  return out;
}

/** Server-side validation, with the messages real sites show. Returns the first problem, or undefined. */
export function validate(fields: readonly FieldDef[], values: Record<string, string>): string | undefined {
  for (const f of fields) {
    const v = (values[f.name] ?? '').trim();
    if (f.required && !v) return f.control === 'select' || f.control === 'radio' ? `请选择${f.label}` : `请填写${f.label}`;
    if (v && f.maxlength && charCount(v) > f.maxlength) return `${f.label}不能超过${f.maxlength}个字`;
    if (v && f.key === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return `${f.label}格式不正确`;
    if (v && f.key === 'phone' && !/^(1\d{10}|0\d{2,3}-?\d{7,8})$/.test(v)) return `${f.label}格式不正确`;
    if (v && f.options && !f.options.includes(v)) return `${f.label}选项无效`;
  }
  return undefined;
}

/** Shorthand to build a field list: [key, name, label, extra?]. */
export function fieldsOf(rows: ReadonlyArray<readonly [keyof LetterFields, string, string, Partial<FieldDef>?]>): FieldDef[] {
  return rows.map(([key, name, label, extra]) => ({
    key,
    name,
    label,
    required: key !== 'public' && key !== 'dept',
    control: key === 'body' ? 'textarea' : key === 'email' ? 'text' : key === 'phone' ? 'text' : 'text',
    ...(key === 'type' ? { options: LETTER_TYPES } : {}),
    ...(key === 'public' ? { options: PUBLIC_OPTIONS, control: 'radio' as const } : {}),
    ...extra,
  }));
}
