// esp-decode.mjs - the peer for sse-decode: eventsource-parser reading
// stdin and printing each event as one JSON line, as sse-decode does.
import { createParser } from 'eventsource-parser';

const parser = createParser({
  onEvent(e) {
    const o = { event: e.event ?? 'message', data: e.data };
    if (e.id) o.id = e.id;
    buf.push(JSON.stringify(o) + '\n');
    if (buf.length > 1024) { process.stdout.write(buf.join('')); buf = []; }
  },
});
let buf = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (s) => parser.feed(s));
process.stdin.on('end', () => process.stdout.write(buf.join('')));
