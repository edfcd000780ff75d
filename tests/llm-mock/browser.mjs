// browser.mjs PAGE_URL API_URL [TOKEN]: headless Chromium (Debian's, driven
// by puppeteer-core) opens PAGE_URL, a page of another origin than API_URL,
// and streams a chat completion from API_URL as the tutorials do: fetch,
// response.body.getReader(), TextDecoder, the SSE lines split by hand.
// Prints one JSON line: {"status","text","reads","partial"} ("partial": the
// text had arrived in part, neither empty nor whole, at some read before
// the end), or {"error"}.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');

const [pageUrl, apiUrl, token] = process.argv.slice(2);
const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run',
	    '--disable-dev-shm-usage'],
});
let out;
try {
	const page = await browser.newPage();
	await page.goto(pageUrl);
	out = await page.evaluate(async (api, key) => {
		try {
			const headers = { 'Content-Type': 'application/json' };
			if (key) headers.Authorization = 'Bearer ' + key;
			const res = await fetch(api + '/v1/chat/completions', {
				method: 'POST', headers,
				body: JSON.stringify({ model: 'm', stream: true,
				    messages: [{ role: 'user', content: 'hi' }] }),
			});
			const reader = res.body.getReader();
			const dec = new TextDecoder();
			let buf = '', text = '', reads = 0;
			const seen = [];
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				reads++;
				buf += dec.decode(value, { stream: true });
				let i;
				while ((i = buf.indexOf('\n\n')) >= 0) {
					const ev = buf.slice(0, i);
					buf = buf.slice(i + 2);
					for (const line of ev.split('\n')) {
						if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
						const c = JSON.parse(line.slice(6)).choices?.[0]?.delta?.content;
						if (c) text += c;
					}
				}
				seen.push(text);
			}
			const partial = seen.some((s) => s.length > 0 && s.length < text.length);
			return { status: res.status, text, reads, partial };
		} catch (e) {
			return { error: String(e && e.message || e) };
		}
	}, apiUrl, token || '');
} catch (e) {
	out = { error: String(e && e.message || e) };
}
await browser.close();
console.log(JSON.stringify(out));
