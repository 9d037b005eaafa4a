// Parses Mermaid diagrams with Mermaid's own parser, the one GitHub renders them with:
//   node scripts/mermaid-parse.mjs FILE...
// A FILE ending in .md is a Markdown document: each ```mermaid block in it is parsed.
// Exit status 1 when any diagram does not parse, naming the file (and block) and the error.
//
// `@mermaid-js/parser` only knows the newer diagram types, not flowcharts, so this loads
// `mermaid` itself. Its text sanitizer (DOMPurify) needs a DOM; jsdom provides one, before
// mermaid is imported.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

function diagrams(file) {
  const text = readFileSync(file, 'utf8');
  if (!file.endsWith('.md')) return [[file, text]];
  const blocks = [...text.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)];
  if (blocks.length === 0) throw new Error(`${file}: no mermaid block`);
  return blocks.map((m, i) => [`${file} (diagram ${i + 1})`, m[1]]);
}

let failed = 0;
let parsed = 0;
for (const file of process.argv.slice(2)) {
  let list;
  try {
    list = diagrams(file);
  } catch (e) {
    failed++;
    console.error(e.message);
    continue;
  }
  for (const [name, text] of list) {
    try {
      const result = await mermaid.parse(text);
      if (!result || !String(result.diagramType).startsWith('flowchart')) {
        throw new Error(`not a flowchart: ${result && result.diagramType}`);
      }
      parsed++;
    } catch (e) {
      failed++;
      console.error(`${name}: ${e.message || e}`);
    }
  }
}
console.log(`mermaid: ${parsed} diagram(s) parsed, ${failed} failed`);
process.exit(failed ? 1 : 0);
