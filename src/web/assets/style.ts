// The page's style sheet, served by the bot itself (no CDN: the page works offline and under a strict
// Content-Security-Policy, which also forbids inline styles). Colours keep at least 4.5:1 contrast for text; a state
// is always written in words too, never told by colour alone. Narrow screens get one column and scrolling tables.
export const PAGE_CSS = `
:root{--fg:#101828;--muted:#475467;--line:#d0d5dd;--bg:#fff;--band:#f2f4f7;--link:#175cd3;
--critical:#912018;--major:#b42318;--minor:#93370d;--minor-bg:#fef0c7;--info:#475467;--maintenance:#1849a9;
--ok:#067647;--unknown:#475467;--resolved:#067647}
*{box-sizing:border-box}
html{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,[tabindex]:focus-visible{outline:3px solid #f79009;outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header.top{padding:12px 16px;border-bottom:1px solid var(--line);background:var(--band)}
header.top h1{font-size:1.35rem;margin:0 8px 0 0;display:inline}
.headline{display:inline-block;margin:4px 0;font-weight:600}
.meta{color:var(--muted);font-size:.875rem;margin:4px 0 0}
nav.sections{margin-top:8px;display:flex;flex-wrap:wrap;gap:4px 16px}
main{padding:8px 16px 32px;max-width:1400px}
section{margin-top:24px}
h2{font-size:1.2rem;margin:0 0 8px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:1rem;margin:16px 0 6px}
p{margin:6px 0}
.muted{color:var(--muted)}
.scroll{overflow-x:auto;max-width:100%}
table.data{border-collapse:collapse;width:100%;font-size:.9rem}
table.data caption{text-align:left;font-weight:600;padding:4px 0 6px;caption-side:top}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
table.data thead th{background:var(--band);white-space:nowrap}
table.data thead th a{color:inherit}
table.data th[aria-sort=ascending] a::after{content:" \\25B2"}
table.data th[aria-sort=descending] a::after{content:" \\25BC"}
table.data tr.group th{background:#eaecf0;font-size:.95rem}
table.data th[scope=row]{font-weight:500}
.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
small{color:var(--muted);font-size:.8rem}
table.inst td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.inst td:nth-child(2),table.inst td:nth-child(3){text-align:left}
.badge,td>b{display:inline-block;padding:0 6px;border-radius:4px;font-size:.8rem;font-weight:600;color:#fff;white-space:nowrap}
.lv-critical{background:var(--critical)}.lv-major{background:var(--major)}.lv-minor{background:var(--minor-bg);color:var(--minor)}
.lv-info{background:var(--info)}.lv-maintenance{background:var(--maintenance)}.lv-ok,.lv-resolved{background:var(--ok)}
.lv-unknown{background:var(--band);color:var(--unknown);border:1px solid var(--line)}
.lv-failing{background:var(--major)}
.api{border:1px solid var(--line);border-left:6px solid var(--ok);padding:8px 12px;border-radius:4px}
.api.st-critical,.api.st-major{border-left-color:var(--major)}.api.st-minor{border-left-color:#f79009}
.api.st-maintenance{border-left-color:var(--maintenance)}.api.st-unknown{border-left-color:var(--line)}
ul.evidence{margin:0;padding-left:18px}
ul.evidence li.closed{color:var(--muted)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:6px 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:8px 0;padding:8px;background:var(--band);border-radius:4px}
form.filters label{display:block;font-size:.85rem;font-weight:600}
form.filters input,form.filters select,form.filters button{font:inherit;padding:4px 8px;border:1px solid #667085;border-radius:4px;background:#fff;color:var(--fg)}
form.filters input{min-width:16em}
form.filters output{flex-basis:100%;font-size:.9rem;color:var(--muted)}
.windows a[aria-current=page]{font-weight:700;color:var(--fg);text-decoration:none}
svg.tl{display:block;width:100%;min-width:240px;height:16px;background:var(--band)}
svg.tl rect{stroke:#fff;stroke-width:.5}
svg.tl .lv-critical{fill:var(--critical)}svg.tl .lv-major{fill:var(--major)}svg.tl .lv-minor{fill:#f79009}
svg.tl .lv-info{fill:#98a2b3}
svg.tl a:focus rect,svg.tl a:hover rect{stroke:#101828;stroke-width:2}
.axis{display:flex;justify-content:space-between;font-weight:400;font-size:.8rem;color:var(--muted);min-width:240px}
table.timeline td.bars{width:70%}
ul.audit{list-style:none;padding:0;margin:0}
ul.audit li{padding:2px 0}
.mark{display:inline-block;width:1.4em;text-align:center;font-weight:700;border-radius:3px;margin-right:6px}
.mk-ok .mark{color:var(--ok)}.mk-warn .mark{color:var(--minor);background:var(--minor-bg)}.mk-missing .mark{color:#fff;background:var(--major)}
ol.updates{padding-left:18px}ol.updates li{margin-bottom:8px}
.update-text{white-space:pre-line;overflow-wrap:anywhere}
time{white-space:nowrap}
footer{padding:12px 16px;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
@media (max-width:640px){
html{font-size:15px}
main{padding:4px 8px 24px}
header.top{padding:8px}
form.filters input{min-width:0;width:100%}
form.filters>div{flex:1 1 100%}
table.timeline td.bars{width:auto}
table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.cards,table.cards caption,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
table.cards tr{border:1px solid var(--line);border-radius:4px;margin-bottom:8px;padding:4px 0}
table.cards td{border:0;padding:2px 8px}
table.cards td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:var(--muted)}
}
`;
