// bench-openai-batch.mjs BASE_URL N - the peer of a batch of pipelines:
// N concurrent streaming chat requests in one Node process with the
// openai package (the tutorials' asyncio.gather pattern, as Promise.all),
// each answer assembled from its deltas. Prints how many of the N answers
// equal the first one, and writes "ready" to stderr once every request
// has its first chunk (the moment scripts/bench samples the memory).
import OpenAI from 'openai';

const [base, n] = [process.argv[2], Number(process.argv[3])];
const client = new OpenAI({ apiKey: 'test', baseURL: base, maxRetries: 0, timeout: 600000 });
let started = 0;
async function one() {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hi' }],
  });
  let text = '', first = true;
  for await (const chunk of stream) {
    if (first && ++started === n) process.stderr.write('ready\n');
    first = false;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return text;
}
const texts = await Promise.all(Array.from({ length: n }, one));
console.log(texts.filter((t) => t === texts[0] && t.length > 0).length);
