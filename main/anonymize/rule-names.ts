// The names of the anonymizer's rules (their logic is in rules.ts). Kept apart, with no
// imports, so the payload schema (also type-checked for the renderer) can name a rule
// without pulling the rules' Node code in.

export const RULE_NAMES = [
  'keep',
  'round',
  'setting',
  'ram-bucket',
  'disk-bucket',
  'category',
  'run-mode',
  'distro',
  'cpu-vendor',
  'gpu-vendor',
  'hypervisor',
  'unavailable-reason',
  'version',
  'hardware-model',
  'hash',
  'scrub',
  'error-type',
  'error-code',
  'template',
  'frame-fn',
  'frame-file',
  'local',
  'time-minute',
  'time-hour',
] as const;

export type Rule = (typeof RULE_NAMES)[number];
