// sse-ref.mjs OUTDIR FILE... - the reference: eventsource-parser 3.1.1 fed
// each FILE's bytes in pseudo-random chunks (decoded with a streaming WHATWG
// TextDecoder, as a browser does), printing each event as one JSON line
// {"event","data"} (ids are left out: eventsource-parser does not keep the
// last event ID across events, where the spec does), into OUTDIR/N.ref for
// the N-th FILE (from 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

const outdir = process.argv[2];
process.argv.slice(3).forEach((file, k) => {
  const bytes = readFileSync(file);
  let seed = (k + 1) * 2654435761 >>> 0;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
  const out = [];
  const parser = createParser({
    onEvent(e) { out.push(JSON.stringify({ event: e.event ?? 'message', data: e.data })); },
  });
  const dec = new TextDecoder('utf-8');
  for (let i = 0; i < bytes.length;) {
    const n = 1 + Math.floor(rand() * 40);
    parser.feed(dec.decode(bytes.subarray(i, i + n), { stream: true }));
    i += n;
  }
  parser.feed(dec.decode());
  writeFileSync(`${outdir}/${k + 1}.ref`, out.map((l) => l + '\n').join(''));
});
