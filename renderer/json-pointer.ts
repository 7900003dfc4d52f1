// RFC 6901 pointers: how `changes` name the fields the anonymizer touched.

export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Every ancestor pointer of `pointer`, root ('') first, without `pointer` itself. */
export function ancestors(pointer: string): string[] {
  const parts = pointer.split('/').slice(1);
  const out = [''];
  let current = '';
  for (const part of parts.slice(0, -1)) {
    current = `${current}/${part}`;
    out.push(current);
  }
  return out;
}

export function resolve(root: unknown, pointer: string): { found: boolean; value?: unknown } {
  if (pointer === '') return { found: true, value: root };
  let current: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof current !== 'object' || current === null || !Object.prototype.hasOwnProperty.call(current, key)) return { found: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { found: true, value: current };
}
