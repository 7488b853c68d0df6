/* opex.js: search-as-you-type on the search page, and the Copy buttons of
 * quick texts. Everything else works
 * without it. Results come from /api/search and are written with DOM
 * calls; only the snippet's <mark> elements are rebuilt, never raw HTML. */
(function () {
  'use strict';
  var form = document.getElementById('search');
  var box = document.getElementById('q');
  var out = document.getElementById('results');
  if (!form || !box || !out || !window.fetch) return;
  var timer = null, seq = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /* Turn "a <mark>b</mark> c" (escaped by the server) into text and marks. */
  function snippet(html) {
    var p = el('p', 'snippet');
    var parts = String(html || '').split(/(<mark>|<\/mark>)/);
    var marked = false;
    var decode = document.createElement('textarea');
    parts.forEach(function (part) {
      if (part === '<mark>') { marked = true; return; }
      if (part === '</mark>') { marked = false; return; }
      decode.innerHTML = part;
      var text = decode.value;
      p.appendChild(marked ? el('mark', null, text) : document.createTextNode(text));
    });
    return p;
  }

  function show(data) {
    out.textContent = '';
    var exact = data.total_exact !== false;
    var head = el('p', 'count', data.total.toLocaleString('en-US') + (exact ? '' : '+') +
      ' result' + (data.total === 1 && exact ? '' : 's'));
    out.appendChild(head);
    (data.suggestions || []).forEach(function (s) {
      var a = el('a', 'suggest', 'did you mean: ' + s);
      a.href = '/search?q=' + encodeURIComponent(s);
      out.appendChild(a);
    });
    (data.results || []).forEach(function (r) {
      var d = el('div', 'result');
      var a = el('a', null, r.title || r.path);
      a.href = '/' + r.path.split('/').map(encodeURIComponent).join('/');
      d.appendChild(a);
      if (r.language) d.appendChild(el('span', 'lang', r.language));
      if (/^replies\//.test(r.path)) d.appendChild(el('span', 'badge channel', 'quick text'));
      if (r.stale) d.appendChild(el('span', 'badge stale', 'stale'));
      d.appendChild(snippet(r.snippet));
      out.appendChild(d);
    });
  }

  function run() {
    var q = box.value.trim();
    var mine = ++seq;
    if (!q) { out.textContent = ''; return; }
    var params = new URLSearchParams(new FormData(form));
    params.set('limit', '10');
    fetch('/api/search?' + params.toString(), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && mine === seq) show(data); })
      .catch(function () {});
  }

  box.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(run, 120);
  });
  form.addEventListener('change', run);
  if (box.value) run();
})();

/* Copy buttons of quick texts: copy the reply's text exactly as shown. */
(function () {
  'use strict';
  function done(button, label) {
    button.textContent = label;
    setTimeout(function () { button.textContent = 'Copy'; }, 2000);
  }
  function fallback(button, target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    done(button, ok ? 'Copied' : 'Press Ctrl+C');
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (button) {
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      var text = target.textContent;
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () {
          done(button, 'Copied');
        }, function () { fallback(button, target); });
      } else {
        fallback(button, target);
      }
    });
  });
})();
