#include "report/html_assets.h"

namespace egsde::report {

const char* html_style() {
  return R"CSS(
body { font-family: sans-serif; margin: 1.5em; color: #222; background: #fff; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; white-space: nowrap; }
.sub { color: #666; font-size: 0.8em; display: block; }
.sig { color: #1a7f37; font-weight: bold; }
.ns { color: #888; }
.note { color: #8a5a00; }
#errors { color: #b00020; }
#browser img { display: block; image-rendering: pixelated; }
#browser td { font-size: 0.8em; }
.controls label { margin-right: 1em; }
.controls input { width: 6em; }
code { background: #f4f4f4; padding: 0 0.2em; }
)CSS";
}

// The image browser: sort, filter and page the rows of the embedded JSON (#egsde-data); the
// state lives in the query string (see html_report.h).
const char* html_script() {
  return R"JS(
(function () {
  var errors = document.getElementById('errors');
  window.addEventListener('error', function (e) { errors.textContent += String(e.message) + '\n'; });
  var D = JSON.parse(document.getElementById('egsde-data').textContent);
  if (!document.getElementById('browser-rows')) { document.body.setAttribute('data-ready', '1'); return; }
  var q = new URLSearchParams(window.location.search);
  var st = {
    sort: q.get('sort') || 'name', order: q.get('order') === 'desc' ? 'desc' : 'asc',
    page: Math.max(0, parseInt(q.get('page') || '0', 10) || 0),
    size: Math.max(1, parseInt(q.get('size') || '50', 10) || 50),
    filter: q.get('filter') || '', min: q.get('min') || '', max: q.get('max') || '', name: q.get('name') || ''
  };
  var keys = ['name'];
  D.columns.forEach(function (c) { D.metrics.forEach(function (m) { keys.push(c.key + '.' + m); }); });
  function value(row, key) {
    if (key === 'name') return row.name;
    var dot = key.lastIndexOf('.');
    var col = key.slice(0, dot), metric = key.slice(dot + 1);
    for (var i = 0; i < D.columns.length; i++)
      if (D.columns[i].key === col) { var v = row.cells[i].scores[metric]; return v === undefined ? null : v; }
    return null;
  }
  // per-image columns: the faithfulness metrics, and with a classifier its verdict and p(target)
  function label(m) { return m === 'verdict' ? 'TARGET?' : m === 'target_prob' ? 'P(TARGET)' : m.toUpperCase(); }
  function fmt(v) { return v === null || v === undefined ? '\u2014' : Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4); }
  function selected() {
    var lo = st.min === '' ? -Infinity : parseFloat(st.min), hi = st.max === '' ? Infinity : parseFloat(st.max);
    var rows = D.rows.filter(function (r) {
      if (st.name && r.name.indexOf(st.name) < 0) return false;
      if (!st.filter) return true;
      var v = value(r, st.filter);
      return v !== null && v >= lo && v <= hi;
    });
    var sign = st.order === 'desc' ? -1 : 1;
    rows.sort(function (a, b) {
      var x = value(a, st.sort), y = value(b, st.sort);
      if (x === null && y === null) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      if (x === null) return 1;
      if (y === null) return -1;
      if (x < y) return -sign;
      if (x > y) return sign;
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    });
    return rows;
  }
  function option(sel, v, text, on) {
    var o = document.createElement('option'); o.value = v; o.textContent = text; o.selected = on; sel.appendChild(o);
  }
  function title(key) {
    if (key === 'name') return 'source name';
    var dot = key.lastIndexOf('.');
    for (var i = 0; i < D.columns.length; i++)
      if (D.columns[i].key === key.slice(0, dot)) return D.columns[i].title + ' ' + label(key.slice(dot + 1));
    return key;
  }
  var sortSel = document.getElementById('sort'), orderSel = document.getElementById('order');
  var filterSel = document.getElementById('filter');
  option(filterSel, '', '(none)', st.filter === '');
  keys.forEach(function (k) {
    option(sortSel, k, title(k), k === st.sort);
    if (k !== 'name') option(filterSel, k, title(k), k === st.filter);
  });
  orderSel.value = st.order;
  document.getElementById('min').value = st.min;
  document.getElementById('max').value = st.max;
  document.getElementById('name').value = st.name;
  function save() {
    var p = new URLSearchParams();
    ['sort', 'order', 'page', 'size', 'filter', 'min', 'max', 'name'].forEach(function (k) {
      if (st[k] !== '' && st[k] !== null) p.set(k, String(st[k]));
    });
    if (window.history && window.history.replaceState && window.location.protocol !== 'about:')
      try { window.history.replaceState(null, '', '?' + p.toString()); } catch (e) { /* file:// may refuse */ }
  }
  function cell(tr, uri, text) {
    var td = document.createElement('td');
    if (uri) { var img = document.createElement('img'); img.src = uri; img.alt = ''; td.appendChild(img); }
    else td.appendChild(document.createTextNode('not translated'));
    if (text) { var s = document.createElement('span'); s.className = 'sub'; s.textContent = text; td.appendChild(s); }
    tr.appendChild(td);
  }
  function render() {
    var rows = selected();
    var pages = Math.max(1, Math.ceil(rows.length / st.size));
    if (st.page >= pages) st.page = pages - 1;
    var body = document.getElementById('browser-rows');
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.slice(st.page * st.size, (st.page + 1) * st.size).forEach(function (r) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-name', r.name);
      var v = value(r, st.sort);
      tr.setAttribute('data-sort-value', v === null ? '' : String(v));
      cell(tr, r.source, r.name);
      r.cells.forEach(function (c) {
        var parts = D.metrics.filter(function (m) { return c.scores[m] !== undefined; })
          .map(function (m) {
            return label(m) + ' ' + (m === 'verdict' ? (c.scores[m] ? 'yes' : 'no') : fmt(c.scores[m]));
          });
        cell(tr, c.image, parts.join(' \u00b7 '));
      });
      body.appendChild(tr);
    });
    document.getElementById('page-info').textContent =
      'page ' + (st.page + 1) + ' of ' + pages + ' \u2014 ' + rows.length + ' of ' + D.rows.length + ' sources';
    save();
  }
  function reread() {
    st.sort = sortSel.value; st.order = orderSel.value; st.filter = filterSel.value;
    st.min = document.getElementById('min').value; st.max = document.getElementById('max').value;
    st.name = document.getElementById('name').value; st.page = 0; render();
  }
  [sortSel, orderSel, filterSel].forEach(function (e) { e.addEventListener('change', reread); });
  ['min', 'max', 'name'].forEach(function (id) { document.getElementById(id).addEventListener('input', reread); });
  document.getElementById('prev').addEventListener('click', function () { if (st.page > 0) { st.page--; render(); } });
  document.getElementById('next').addEventListener('click', function () { st.page++; render(); });
  render();
  document.body.setAttribute('data-ready', '1');
})();
)JS";
}

}  // namespace egsde::report
