// token-corpus.mjs - writes the generated part of llm-tokens' differential
// corpus (tests/33) into DIR: every code point in several contexts, one
// file per Unicode general category, whitespace, digits, contractions,
// emoji and combining marks, scripts, invalid UTF-8, and RANDOM files of
// random strings from SEED. Usage: node token-corpus.mjs DIR SEED RANDOM CN
// CN lists (hex, one a line) the code points PCRE2's Unicode tables hold
// unassigned: those JavaScript's newer tables assign are left out of every
// file but unicode-newer.txt, where llm-tokens is known to differ (their
// classes are a Unicode version apart); their number goes to stdout.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const [dir, seedArg, nrandArg, cnFile] = process.argv.slice(2);
const pcreCn = new Set(readFileSync(cnFile, "utf8").split("\n").filter(Boolean).map((h) => parseInt(h, 16)));
const newer = [];
mkdirSync(dir, { recursive: true });
let seed = Number(seedArg) >>> 0 || 1;
const rnd = (n) => { // xorshift32
	seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
	return seed % n;
};
const put = (name, s) => writeFileSync(`${dir}/${name}`, s);

// every code point but the surrogates, by general category
const cats = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
	"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
	"Zs", "Zl", "Zp", "Cc", "Cf", "Co", "Cn"];
const byCat = Object.fromEntries(cats.map((c) => [c, []]));
const res = cats.map((c) => [c, new RegExp(`^\\p{gc=${c}}$`, "u")]);
for (let cp = 0; cp <= 0x10ffff; cp++) {
	if (cp >= 0xd800 && cp <= 0xdfff) continue;
	const ch = String.fromCodePoint(cp);
	for (const [c, re] of res) if (re.test(ch)) {
		if (c !== "Cn" && pcreCn.has(cp)) newer.push(ch);
		else byCat[c].push(ch);
		break;
	}
}
const ctx = [(c) => c, (c) => "a" + c + "b ", (c) => " " + c + "'s ", (c) => c + c + "1 ",
	(c) => "\n" + c + " \n", (c) => "A" + c + "z'LL ", (c) => c + "\u0301 "];
for (const c of cats) {
	let chars = byCat[c];
	// the large blocks (private use, unassigned) thinned to every 7th
	if (chars.length > 20000) chars = chars.filter((_, i) => i % 7 === 0);
	put(`gc-${c}.txt`, ctx.map((f) => chars.map(f).join("")).join("\n"));
}
put("unicode-newer.txt", ctx.map((f) => newer.map(f).join("")).join("\n"));
const newerSet = new Set(newer);
console.log(newer.length);
put("whitespace.txt", [" ", "  ", "\t", " \t ", "\n", "\r\n", "\r", "\n\n\n", " \n ", "\u00a0",
	"\u2028", "\u2029", "\u3000", "\u0085", "\u200b", "\u180e", "\f", "\v", "   \n\t  \r\n x",
	" ".repeat(1000) + "y", "\n".repeat(500), "x" + " ".repeat(37) + "\n" + "\t".repeat(9) + "z"]
	.map((w) => "a" + w + "b" + w + w + "1" + w + "!" + w).join("") + " ".repeat(100000) + "end  \n  ");
put("digits.txt", "0 12 123 1234 12345 123456789012345678901234567890 3.14159 1,000,000 " +
	"٠١٢٣٤٥٦٧٨٩ ０１２３４ ⅠⅡⅢ ½¾ ²³ 𝟘𝟙𝟚 x1y22z333w4444 2024-01-02T03:04:05Z\n" + "9".repeat(10001));
put("contractions.txt", ["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'ve", "'VE", "'m", "'M", "'ll",
	"'LL", "'lL", "'d", "'D", "'ſ", "'ſt", "’s", "'x", "''s", "'", "'''", " 's", "'s's"]
	.map((c) => `I${c} you${c} THEY${c} ${c} 1${c} é${c} Σ${c}\n`).join("") +
	"don't won't I'm y'all we'd they've she'll it's Rock'n'roll O'Neil 'quoted' DON'T I'M\n");
put("emoji.txt", "👍 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 🏳️‍🌈 ❤️ ✨🚀🔥 🫠 a😀b 😀😀😀 ☕️ 1️⃣ #️⃣ 🧑🏿‍💻\n" +
	"e\u0301 a\u0300\u0301\u0302\u0303 Z\u0336\u0337\u0338 ก\u0e34\u0e48 \u0915\u094d\u0937 " +
	"ñ n\u0303 Å A\u030a \u1100\u1161\u11a8 \u05e9\u05c1\u05b8 \u0627\u064e\n");
put("scripts.txt", "The quick brown fox jumps over the lazy dog. Ça coûte 5 €, n'est-ce pas ?\n" +
	"Der Größenwahn ist überall. Быстрая коричневая лиса прыгает. Γρήγορη καφέ αλεπού.\n" +
	"快速的棕色狐狸跳过了懒狗。日本語のテキスト、カタカナとひらがな。한국어 텍스트입니다.\n" +
	"العربية تكتب من اليمين إلى اليسار. עברית גם כן. हिन्दी पाठ। தமிழ் உரை. ภาษาไทยไม่มีช่องว่าง\n" +
	"Tiếng Việt có dấu. Ελληνικά ΚΕΦΑΛΑΙΑ. ǅemal ǈudevit ǋ ᾈ ᾼ. İstanbul ıi. ß ẞ ﬁ ﬂ\n" +
	"<|endoftext|> <|endofprompt|> <|fim_prefix|><|fim_middle|><|fim_suffix|> <|end <|x|>\n");
// invalid UTF-8: every way a sequence can be ill-formed, in context
const bad = [[0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xc2], [0xc2, 0x41], [0xe0, 0x80, 0x80],
	[0xe0, 0xa0], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xef, 0xbf], [0xf0, 0x80, 0x80, 0x80],
	[0xf0, 0x90, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
	[0xfe], [0xff], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3, 0xa9, 0xa9], [0xef, 0xbb, 0xbf]];
const parts = [];
for (const b of bad) for (const pre of ["a", " ", "'", "1", "é"]) parts.push(Buffer.from(pre), Buffer.from(b));
for (let i = 0; i < 4000; i++) parts.push(Buffer.from([rnd(256)]));
parts.push(Buffer.from([0xf0, 0x9f]));
put("invalid-utf8.bin", Buffer.concat(parts));
put("bom.txt", "\ufeffhello\ufeff world");
// random strings from a pool of fragments and code points
const pool = [" ", "  ", "\n", "\r\n", "\t", "'s", "'LL", "a", "Z", "é", "ß", "ǅ", "1", "22", "333",
	"!", "?!", "...", "/", "\\", "{", "}\n", "\"", "<|endoftext|>", "😀", "👨‍👩‍👧", "\u0301", "\u0300",
	"中", "日本", "ש", "ع", "ह", "ก", "\u00a0", "\u3000", "\u2028", "_", "-", "$", "€", "٣",
	"Ⅻ", "x", "Hello", " world", "the", "\u200d", "\ufe0f", "\u0000", "\u007f", "\u0085"];
for (let f = 0; f < Number(nrandArg); f++) {
	const n = 1 + rnd(f % 10 === 0 ? 5000 : 300);
	const out = [];
	for (let i = 0; i < n; i++) {
		const k = rnd(10);
		if (k < 6) out.push(pool[rnd(pool.length)]);
		else if (k < 9) {
			let cp = rnd(k === 8 ? 0x30000 : 0x3000);
			if ((cp >= 0xd800 && cp <= 0xdfff) || newerSet.has(String.fromCodePoint(cp))) cp = 0x41;
			out.push(String.fromCodePoint(cp));
		} else out.push(String.fromCharCode(32 + rnd(95)).repeat(1 + rnd(4)));
	}
	put(`random-${String(f).padStart(4, "0")}.txt`, out.join(""));
}
