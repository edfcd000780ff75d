// browser-page.mjs PAGE_URL: headless Chromium opens PAGE_URL (the page
// of llmpipe(7)'s browser example) and waits for its title to say "done".
// Prints {"text","partial"}: the text of #out, and whether it was seen in
// part (neither empty nor whole) before the end; or {"error"}.
import { createRequire } from 'node:module';
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');

const browser = await puppeteer.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--no-first-run',
	    '--disable-dev-shm-usage'],
});
let out;
try {
	const page = await browser.newPage();
	// every change of #out, recorded as the page makes it
	await page.evaluateOnNewDocument(() => {
		window.__seen = [];
		new MutationObserver(() => {
			const o = document.getElementById('out');
			if (o) window.__seen.push(o.textContent);
		}).observe(document, { subtree: true, childList: true, characterData: true });
	});
	await page.goto(process.argv[2]);
	await page.waitForFunction(() => document.title === 'done', { timeout: 60000 });
	out = await page.evaluate(() => {
		const text = document.getElementById('out').textContent;
		return { text, partial: window.__seen.some((s) => s.length > 0 && s.length < text.length) };
	});
} catch (e) {
	out = { error: String(e && e.message || e) };
}
await browser.close();
console.log(JSON.stringify(out));
