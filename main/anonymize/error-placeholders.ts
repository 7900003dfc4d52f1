// The typed placeholders of error templates (see error-template.ts for what each stands for).

export const PLACEHOLDERS = [
  'path',
  'url',
  'email',
  'ip',
  'mac',
  'host',
  'user',
  'uuid',
  'hex',
  'token',
  'value',
  'number',
  'quoted',
  'package',
  'name',
  'id',
  'word',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set(PLACEHOLDERS);
