// The page's style sheet and script, named by a hash of their content: a browser may keep them for good, and a new
// version of the bot changes their names.
import { createHash } from 'node:crypto';
import { PAGE_JS } from './assets/script.js';
import { PAGE_CSS } from './assets/style.js';

export interface Asset {
  name: string;
  type: string;
  body: Buffer;
}

function asset(base: string, ext: string, type: string, text: string): Asset {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return { name: `${base}.${hash}.${ext}`, type, body: Buffer.from(text, 'utf8') };
}

export const STYLE = asset('page', 'css', 'text/css; charset=utf-8', PAGE_CSS);
export const SCRIPT = asset('page', 'js', 'text/javascript; charset=utf-8', PAGE_JS);
export const ASSETS = new Map([STYLE, SCRIPT].map((a) => [a.name, a]));
