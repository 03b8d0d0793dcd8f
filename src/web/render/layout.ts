// The document around every view: head (the style sheet and script the bot serves, nothing inline), a header with
// the overall state, and a footer.
import { SCRIPT, STYLE } from '../assets.js';
import { html, type SafeHtml } from '../html.js';
import type { WebPaths } from '../paths.js';
import { time } from './parts.js';

export interface LayoutInput {
  paths: WebPaths;
  title: string;
  now: number;
  /** The change revision the page shows, so its script can tell a change it missed while connecting. */
  revision: number;
  header: SafeHtml;
  main: SafeHtml;
}

export function renderLayout(p: LayoutInput): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${p.title}</title>
<link rel="stylesheet" href="${p.paths.asset(STYLE.name)}">
<script src="${p.paths.asset(SCRIPT.name)}" defer></script>
</head>
<body data-events="${p.paths.events}" data-revision="${p.revision}">
<a class="skip" href="#main">Skip to the content</a>
<header class="top">${p.header}
<p class="meta">As of ${time(p.now)} · <span id="live" role="status">not live (no script)</span></p>
</header>
<main id="main">
${p.main}
</main>
<footer>belvo-status-bot · times in UTC · <a href="${p.paths.data}">this page as JSON</a></footer>
</body>
</html>
`.value;
}
