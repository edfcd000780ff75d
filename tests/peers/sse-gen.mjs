// sse-gen.mjs DIR COUNT SEED - writes COUNT random event streams into DIR
// (DIR/NNNN.sse): random fields, values with spaces, colons, multi-byte and
// invalid UTF-8, comments, CR / LF / CRLF line ends, blank lines. Each
// stream ends with a blank line after LF (eventsource-parser drops an event
// ended by a bare CR at end of input; that case has its own golden test).
import { writeFileSync, mkdirSync } from 'node:fs';

const [dir, count, seed0] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 1)];
let seed = seed0 >>> 0;
const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
const pick = (a) => a[Math.floor(rand() * a.length)];
const names = ['data', 'data', 'data', 'data', 'data', 'event', 'id', 'retry', 'foo', 'Data', ''];
const values = ['', ' ', 'x', ' hello', '  two', 'a:b', ':', '{"a":1}', '[DONE]',
  'é', '€uro', '😀', Buffer.from([0xff]), Buffer.from([0xe2, 0x82]), Buffer.from([0xc3]),
  '12', 'ping', '\t', 'x'.repeat(300)];
const eols = ['\n', '\r\n', '\r'];
mkdirSync(dir, { recursive: true });
for (let i = 0; i < count; i++) {
  const parts = [];
  if (rand() < 0.1) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const lines = Math.floor(rand() * 40);
  for (let l = 0; l < lines; l++) {
    const r = rand();
    let line;
    if (r < 0.25) line = Buffer.from('');
    else if (r < 0.40) line = Buffer.concat([Buffer.from(':'), Buffer.from(String(pick(values)))]);
    else {
      const name = pick(names);
      const v = pick(values);
      const sep = rand() < 0.1 ? '' : rand() < 0.5 ? ':' : ': ';
      line = Buffer.concat([Buffer.from(name + sep), typeof v === 'string' ? Buffer.from(sep ? v : '') : (sep ? v : Buffer.from(''))]);
    }
    parts.push(line, Buffer.from(pick(eols)));
  }
  parts.push(Buffer.from('\n\n'));
  writeFileSync(`${dir}/${String(i).padStart(4, '0')}.sse`, Buffer.concat(parts));
}
