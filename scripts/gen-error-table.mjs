// Writes the error table of docs/privacy.md (the region between <!-- error-table:start -->
// and <!-- error-table:end -->) from main/anonymize/error-fixture.ts, through the built
// anonymizer (run `npm run build` first). A test fails when the committed region differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderErrorTable, replaceErrorTable } = await import(join(root, 'dist/main/anonymize/error-table.js'));
const file = join(root, 'docs/privacy.md');
writeFileSync(file, replaceErrorTable(readFileSync(file, 'utf8'), renderErrorTable()));
console.log('wrote the error table of docs/privacy.md');
