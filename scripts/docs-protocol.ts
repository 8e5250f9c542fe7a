/** Rewrites the generated topic table in shared/README.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { DOC_BEGIN, DOC_END, renderTopicTable } from '../shared/src/protocol/doc.ts';

const file = new URL('../shared/README.md', import.meta.url);
const text = readFileSync(file, 'utf8');
const start = text.indexOf(DOC_BEGIN);
const end = text.indexOf(DOC_END);
if (start < 0 || end < 0) throw new Error('shared/README.md lacks the topic table markers');
writeFileSync(file, text.slice(0, start) + renderTopicTable() + text.slice(end + DOC_END.length));
console.log('shared/README.md topic table updated');
