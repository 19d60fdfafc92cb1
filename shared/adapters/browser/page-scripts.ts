/**
 * Scripts that run inside the page (every frame). Kept as plain JavaScript strings so no transpiler helper
 * (e.g. esbuild's `__name`) leaks into the page, and so they run the same under tsx, vitest and Lambda.
 */

/** Tags every control with `data-hx` and returns `{ fields, text, hasPassword, title }`. Argument: frame index. */
export const EXTRACT_JS = String.raw`(function (frameIndex) {
  var fields = [];
  var n = 0;
  var forms = Array.prototype.slice.call(document.forms);
  function txt(s) { return (s || '').replace(/\s+/g, ' ').trim(); }
  function shown(el) {
    if (!el || !el.getBoundingClientRect) return false;
    var s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    var r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;
    if (r.right < 0 || r.bottom < 0 || r.left < -5000 || r.top < -5000) return false;
    return true;
  }
  function key(el) {
    var k = el.getAttribute('data-hx');
    if (!k) { k = 'f' + frameIndex + '-' + (n++); el.setAttribute('data-hx', k); }
    else n++;
    return k;
  }
  function hasControl(node) {
    return node.nodeType === 1 && (/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(node.tagName) || !!node.querySelector('input:not([type=hidden]),select,textarea'));
  }
  function nodeText(node) {
    return txt(node.nodeType === 3 ? node.nodeValue : (node.innerText !== undefined ? node.innerText : node.textContent));
  }
  function labelOf(el) {
    var parts = [];
    if (el.id) {
      try {
        var ls = document.querySelectorAll('label[for="' + CSS.escape(el.id) + '"]');
        for (var i = 0; i < ls.length; i++) parts.push(txt(ls[i].innerText));
      } catch (e) {}
    }
    var wrap = el.closest && el.closest('label');
    if (wrap) parts.push(txt(wrap.innerText));
    if (el.getAttribute('aria-label')) parts.push(el.getAttribute('aria-label'));
    return txt(parts.join(' '));
  }
  function nearTextOf(el) {
    var anchor = (el.closest && el.closest('label')) || el;
    for (var depth = 0; depth < 4 && anchor && anchor !== document.body; depth++) {
      var sib = anchor.previousSibling;
      var steps = 0;
      while (sib && steps < 6) {
        steps++;
        if (sib.nodeType === 1 && hasControl(sib)) {
          // a previous field: only its own trailing text could be ours
          if (sib.tagName === 'TD' || sib.tagName === 'TH') { var ct = nodeText(sib); if (ct && ct.length <= 40) return ct; }
          return '';
        }
        var t = (sib.nodeType === 3 || sib.nodeType === 1) ? nodeText(sib) : '';
        if (t) return t.length > 40 ? t.slice(-40) : t;
        sib = sib.previousSibling;
      }
      anchor = anchor.parentElement;
      if (anchor && anchor.tagName === 'TR') break;
    }
    // table layouts: the first header cell of the row
    var row = el.closest && el.closest('tr');
    if (row && row.cells && row.cells.length > 1) { var first = nodeText(row.cells[0]); if (first && first.length <= 40 && !row.cells[0].contains(el)) return first; }
    return '';
  }
  function around(el, test) {
    var scope = el.parentElement;
    for (var i = 0; i < 2 && scope; i++) {
      if (test(scope)) return true;
      scope = scope.parentElement;
    }
    return false;
  }
  function formIndex(el) { return el.form ? forms.indexOf(el.form) : (el.closest && el.closest('form') ? forms.indexOf(el.closest('form')) : -1); }
  function choiceVisible(el) { return shown(el) || shown(el.parentElement) || (el.closest('label') && shown(el.closest('label'))); }

  var controls = document.querySelectorAll('input, textarea, select');
  var groups = {};
  for (var i = 0; i < controls.length; i++) {
    var el = controls[i];
    var tag = el.tagName.toLowerCase();
    var type = tag === 'input' ? (el.getAttribute('type') || 'text').toLowerCase() : '';
    if (type === 'hidden') continue;
    var isChoice = tag === 'select' || type === 'radio' || type === 'checkbox';
    var base = {
      key: key(el), frame: frameIndex, tag: tag, type: type,
      name: el.getAttribute('name') || '', id: el.id || '', placeholder: el.getAttribute('placeholder') || '',
      label: labelOf(el), nearText: nearTextOf(el), text: (type === 'submit' || type === 'button' || type === 'reset') ? txt(el.value) : (type === 'image' ? txt(el.getAttribute('alt') || el.value) : ''),
      title: el.getAttribute('title') || '', action: (el.getAttribute('onclick') || '') + (type === 'image' ? ' img:' + (el.getAttribute('src') || '') : ''),
      required: el.required || el.getAttribute('aria-required') === 'true' || /required|must|bt|notnull/i.test(el.className || '') || /[*＊]/.test(nearTextOf(el)),
      visible: isChoice ? choiceVisible(el) : shown(el), form: formIndex(el)
    };
    if (el.maxLength && el.maxLength > 0) base.maxLength = el.maxLength;
    if (tag === 'select') base.options = Array.prototype.map.call(el.options, function (o) { return { value: o.value, text: txt(o.text), disabled: o.disabled }; });
    if (type === 'radio') {
      var g = (el.getAttribute('name') || base.key) + '#' + base.form;
      if (groups[g]) { groups[g].options.push({ value: base.key, text: base.label || txt(el.value) }); groups[g].visible = groups[g].visible || base.visible; continue; }
      base.value = el.value;
      base.options = [{ value: base.key, text: base.label || txt(el.value) }];
      groups[g] = base;
    }
    if (type === 'checkbox') base.value = el.value;
    base.imageNearby = around(el, function (s) { return !!s.querySelector('img, canvas'); });
    base.smsButtonNearby = around(el, function (s) { return /获取.{0,4}验证码|发送.{0,4}验证码|获取短信|免费获取/.test(s.innerText || ''); });
    fields.push(base);
  }
  var clickables = document.querySelectorAll('button, a, [onclick], [role=button], input[type=submit], input[type=button], input[type=image], input[type=reset]');
  for (var j = 0; j < clickables.length; j++) {
    var c = clickables[j];
    if (c.tagName === 'INPUT') continue; // already above
    var ctext = txt(c.innerText || c.textContent || c.getAttribute('value'));
    var cimg = c.querySelector && c.querySelector('img');
    if (!ctext && cimg) ctext = txt(cimg.getAttribute('alt') || cimg.getAttribute('title') || '');
    if (c.tagName === 'A' && ctext.length > 16) continue;
    if (c.tagName !== 'BUTTON' && c.tagName !== 'A' && ctext.length > 16) continue;
    fields.push({
      key: key(c), frame: frameIndex, tag: c.tagName === 'BUTTON' ? 'button' : 'a', type: c.tagName === 'BUTTON' ? (c.getAttribute('type') || 'submit').toLowerCase() : '',
      name: c.getAttribute('name') || '', id: c.id || '', placeholder: '', label: '', nearText: '', text: ctext,
      title: c.getAttribute('title') || '', action: (c.getAttribute('href') || '') + ' ' + (c.getAttribute('onclick') || '') + (cimg ? ' img:' + (cimg.getAttribute('src') || '') : ''),
      required: false, visible: shown(c), form: formIndex(c)
    });
  }
  var imgs = document.querySelectorAll('img');
  var bodyText = document.body ? (document.body.innerText || '') : '';
  return {
    fields: fields,
    text: bodyText.slice(0, 20000),
    hasPassword: !!Array.prototype.some.call(document.querySelectorAll('input[type=password]'), shown),
    title: document.title || '',
    images: imgs.length,
    metaRefresh: !!document.querySelector('meta[http-equiv="refresh" i]')
  };
})`;

/** Fills controls. Argument: FillAction[]. Returns the values read back, by key. */
export const FILL_JS = String.raw`(function (actions) {
  function q(k) { return document.querySelector('[data-hx="' + k + '"]'); }
  function fire(el, type) { el.dispatchEvent(new Event(type, { bubbles: true })); }
  var out = {};
  for (var i = 0; i < actions.length; i++) {
    var a = actions[i];
    var el = q(a.key);
    if (!el) { out[a.key] = null; continue; }
    try {
      if (a.kind === 'text') {
        el.focus && el.focus();
        var proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        var setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
        setter.call(el, a.value);
        fire(el, 'input'); fire(el, 'change'); fire(el, 'keyup');
        el.blur && el.blur(); fire(el, 'blur');
        out[a.key] = el.value;
      } else if (a.kind === 'select') {
        el.value = a.value; fire(el, 'input'); fire(el, 'change');
        out[a.key] = el.value;
      } else if (a.kind === 'radio') {
        var r = q(a.value) || el;
        if (!r.checked) r.click();
        if (!r.checked) { r.checked = true; fire(r, 'change'); }
        out[a.key] = r.checked ? 'checked' : '';
      } else if (a.kind === 'checkbox') {
        if (!el.checked) el.click();
        if (!el.checked) { el.checked = true; fire(el, 'change'); }
        out[a.key] = el.checked ? 'checked' : '';
      }
    } catch (e) { out[a.key] = null; }
  }
  return out;
})`;

/** Clicks a control (after returning, so a navigation cannot destroy the evaluation). Argument: key. */
export const CLICK_JS = String.raw`(function (k) {
  var el = document.querySelector('[data-hx="' + k + '"]');
  if (!el) return false;
  // results must come back in this page, not in a popup: drop target=_blank from the form and the control
  var form = el.form || (el.closest && el.closest('form'));
  if (form && form.getAttribute('target') && !/^_(self|top|parent)$/.test(form.getAttribute('target'))) form.removeAttribute('target');
  if (el.getAttribute('target') === '_blank') el.removeAttribute('target');
  setTimeout(function () { el.click(); }, 0);
  return true;
})`;

/** Submits a form by index when there is no button (requestSubmit runs the form's own validation/handlers). */
export const REQUEST_SUBMIT_JS = String.raw`(function (i) {
  var f = document.forms[i];
  if (!f) return false;
  if (f.getAttribute('target') && !/^_(self|top|parent)$/.test(f.getAttribute('target'))) f.removeAttribute('target');
  setTimeout(function () { if (f.requestSubmit) f.requestSubmit(); else f.submit(); }, 0);
  return true;
})`;

/** Resolves a CSS selector to a control key (tagging it when needed). Argument: [selector, frameIndex, role]. */
export const RESOLVE_SELECTOR_JS = String.raw`(function (arg) {
  var el = null;
  try { el = document.querySelector(arg[0]); } catch (e) { return null; }
  if (!el) return null;
  var k = el.getAttribute('data-hx');
  if (!k) { k = 'p' + arg[1] + '-' + arg[2]; el.setAttribute('data-hx', k); }
  return k;
})`;

/** Text of an element by selector. */
export const TEXT_OF_JS = String.raw`(function (sel) {
  try { var el = document.querySelector(sel); return el ? (el.innerText || el.textContent || el.value || '') : null; } catch (e) { return null; }
})`;

/** Visible text of the frame (modals included) and whether a textarea is still shown. */
export const OBSERVE_JS = String.raw`(function () {
  var t = document.body ? (document.body.innerText || '') : '';
  var ta = Array.prototype.some.call(document.querySelectorAll('textarea'), function (e) { var r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2; });
  return { text: t.slice(0, 20000), ready: document.readyState, textarea: ta };
})`;

/** Links of the page (for rediscovering the consultation column). */
export const LINKS_JS = String.raw`(function () {
  return Array.prototype.slice.call(document.querySelectorAll('a[href]'), 0, 3000).map(function (a) { return { text: (a.innerText || a.title || '').trim(), href: a.getAttribute('href') }; });
})`;

/** Re-requests blocked images (for the evidence screenshot), waits (≤ 1 s) until they are in; `{ reloaded, fits }`. */
export const RELOAD_IMAGES_JS = String.raw`(function () {
  var imgs = Array.prototype.slice.call(document.images, 0, 200);
  var waits = [];
  imgs.forEach(function (img) {
    if (img.src && img.naturalWidth === 0) {
      var s = img.src; img.src = ''; img.src = s;
      waits.push(new Promise(function (done) { if (img.complete) return done(); img.addEventListener('load', done); img.addEventListener('error', done); }));
    }
  });
  // resolves when every re-requested image has loaded or failed, or after 1 s; then tells whether the page
  // fits in the viewport (a viewport capture is then the full page, without resizing the viewport)
  return Promise.race([Promise.all(waits), new Promise(function (r) { setTimeout(r, 1000); })]).then(function () {
    var d = document.documentElement;
    return { reloaded: waits.length, fits: !!d && d.scrollWidth <= window.innerWidth && d.scrollHeight <= window.innerHeight };
  });
})`;
