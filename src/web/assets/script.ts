// The page's one script, served by the bot (no inline script: the Content-Security-Policy forbids it). It only
// enhances a page that works without it: filtering and sorting in place instead of reloading, and refreshing the
// live parts when the bot says an alert changed (server-sent events), keeping the reader's filter and sort.
// Kept as text here rather than as a build output, so `tsc` alone builds the bot; the browser tests run every line.
export const PAGE_JS = String.raw`(function () {
  'use strict';
  var body = document.body;

  function fold(text) {
    return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  }

  // --- filter: every word typed must be in the institution's names; the country must be the one chosen ---
  var q = document.getElementById('f-q');
  var country = document.getElementById('f-country');
  var count = document.getElementById('f-count');

  // Rows the filter applies to: institutions, timelines, and the incidents list (whose rows say their institution).
  var FILTERED = '#institutions-table tbody tr:not(.group), #timeline tbody tr:not(.empty), #history-list tbody tr[data-key]';
  var keys = new WeakMap();

  function keyOf(tr) {
    if (tr.hasAttribute('data-key')) return tr.getAttribute('data-key');
    var k = keys.get(tr);
    if (k === undefined) {
      k = fold(tr.cells[0] ? tr.cells[0].textContent : '');
      keys.set(tr, k);
    }
    return k;
  }

  function countryOf(tr) {
    var own = tr.getAttribute('data-country');
    return own !== null ? own : (tr.parentNode.getAttribute('data-country') || '');
  }

  function applyFilter() {
    if (!q || !country) return;
    var words = fold(q.value).split(' ').filter(Boolean);
    var c = country.value;
    var filtering = words.length > 0 || c !== '';
    var shown = 0;
    var total = 0;
    document.querySelectorAll(FILTERED).forEach(function (tr) {
      var key = keyOf(tr);
      var ok = (!c || countryOf(tr) === c) && words.every(function (w) { return key.indexOf(w) >= 0; });
      if (filtering && key === '') ok = false;
      tr.hidden = !ok;
      if (tr.closest('#institutions-table')) {
        total++;
        if (ok) shown++;
      }
    });
    document.querySelectorAll('#institutions-table tbody').forEach(function (tb) {
      var head = tb.querySelector('tr.group');
      if (head) head.hidden = !tb.querySelector('tr:not(.group):not([hidden])');
    });
    if (count && total > 0) count.textContent = 'Showing ' + shown + ' of ' + total + ' institutions';
  }

  function remember(changes) {
    var url = new URL(location.href);
    Object.keys(changes).forEach(function (k) {
      if (changes[k]) url.searchParams.set(k, changes[k]);
      else url.searchParams.delete(k);
    });
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }

  if (q && country) {
    q.addEventListener('input', function () { applyFilter(); remember({ q: q.value.trim() }); });
    country.addEventListener('change', function () { applyFilter(); remember({ country: country.value }); });
  }

  // --- sort: the institutions table, within each country, by the column's value (data-v), names as text ---
  var NUMERIC_DEFAULT = 'desc';

  function sortTable(key, dir) {
    var table = document.getElementById('institutions-table');
    if (!table) return;
    var th = table.querySelector('thead th[data-col="' + key + '"]');
    if (!th) return;
    var col = Array.prototype.indexOf.call(th.parentNode.children, th);
    table.querySelectorAll('thead th[data-col]').forEach(function (h) {
      h.setAttribute('aria-sort', h === th ? (dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    var sign = dir === 'asc' ? 1 : -1;
    table.querySelectorAll('tbody').forEach(function (tb) {
      var rows = Array.prototype.slice.call(tb.querySelectorAll('tr:not(.group)'));
      // A cell sorts by its data-v, else by the number it shows ("1,240"), "-" (nothing known) lowest.
      function value(tr) {
        var cell = tr.cells[col];
        if (!cell) return -1;
        if (key === 'name') return cell.textContent.toLowerCase();
        var v = cell.getAttribute('data-v');
        var n = Number(v !== null ? v : cell.textContent.replace(/,/g, ''));
        return isNaN(n) ? -1 : n;
      }
      function name(tr) { return tr.cells[0].textContent.toLowerCase(); }
      rows.sort(function (a, b) {
        var x = value(a);
        var y = value(b);
        var by = typeof x === 'string' ? x.localeCompare(y) : x - y;
        return sign * by || name(a).localeCompare(name(b));
      });
      rows.forEach(function (tr) { tb.appendChild(tr); });
    });
    table.setAttribute('data-sort', key);
    table.setAttribute('data-dir', dir);
  }

  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-sort]');
    if (!link) return;
    var table = document.getElementById('institutions-table');
    if (!table) return;
    e.preventDefault();
    var key = link.getAttribute('data-sort');
    var dir = table.getAttribute('data-sort') === key
      ? (table.getAttribute('data-dir') === 'asc' ? 'desc' : 'asc')
      : (key === 'name' ? 'asc' : NUMERIC_DEFAULT);
    sortTable(key, dir);
    remember({ sort: key === 'name' ? '' : key, dir: dir === 'asc' ? '' : dir });
  });

  // --- live: the parts marked data-live are fetched again when the bot says something changed ---
  var live = document.getElementById('live');
  if (live) live.textContent = 'connecting';
  var busy = false;
  var again = false;

  function setLive(text) { if (live) live.textContent = text; }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { headers: { accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var table = document.getElementById('institutions-table');
        var sort = table && table.getAttribute('data-sort');
        var dir = table && table.getAttribute('data-dir');
        doc.querySelectorAll('[data-live]').forEach(function (fresh) {
          var old = document.getElementById(fresh.id);
          if (old) old.replaceWith(document.importNode(fresh, true));
        });
        document.title = doc.title;
        body.setAttribute('data-revision', doc.body.getAttribute('data-revision') || '');
        if (sort && dir) sortTable(sort, dir);
        applyFilter();
        setLive('live, updated ' + new Date().toLocaleTimeString());
      })
      .catch(function () { setLive('could not refresh; retrying on the next change'); })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var events = body.getAttribute('data-events');
  if (events && window.EventSource) {
    var source = new EventSource(events + '?since=' + encodeURIComponent(body.getAttribute('data-revision') || '0'));
    var lost = false;
    source.addEventListener('open', function () {
      setLive('live');
      if (lost) { lost = false; refresh(); }
    });
    source.addEventListener('change', refresh);
    source.addEventListener('error', function () { lost = true; setLive('connection lost, reconnecting'); });
  }

  applyFilter();
})();
`;
