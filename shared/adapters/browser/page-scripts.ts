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
  // keys stay unique in the document across scans: a control drawn by script after an earlier scan gets a new
  // number, never one an earlier control already carries
  function key(el) {
    var k = el.getAttribute('data-hx');
    if (!k) {
      n = Math.max(n, window.__hxSeq || 0);
      k = 'f' + frameIndex + '-' + (n++);
      while (document.querySelector('[data-hx="' + k + '"]')) k = 'f' + frameIndex + '-' + (n++);
      window.__hxSeq = n;
      el.setAttribute('data-hx', k);
    }
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
  var CAPTCHA_SRC = /captcha|validate|verify|checkcode|yzm|vcode|kaptcha|randcode|rand\.|authcode|imgcode|getcode|codeimg|securitycode|code\.(?:jsp|aspx?|php|do)|image\.(?:jsp|aspx?|php|do)/i;
  function captchaImage(s) {
    var im = s.querySelectorAll('img, input[type=image]');
    for (var i = 0; i < im.length; i++) if (CAPTCHA_SRC.test(im[i].getAttribute('src') || '') || /验证码|看不清|换一张/.test((im[i].getAttribute('alt') || '') + (im[i].getAttribute('title') || ''))) return true;
    return !!s.querySelector('canvas');
  }
  function buttonsText(s) {
    var t = s.innerText || '';
    var bs = s.querySelectorAll('input[type=button], input[type=submit]');
    for (var i = 0; i < bs.length; i++) t += ' ' + (bs[i].value || '');
    return t;
  }
  function isDisabled(el) {
    return !!el.disabled || el.getAttribute('aria-disabled') === 'true' || /(^|\s)(is-)?disabled(\s|$)|btn-disabled|layui-btn-disabled/.test(typeof el.className === 'string' ? el.className : '');
  }
  function trailingText(el) {
    var sib = el.nextSibling;
    for (var i = 0; i < 3 && sib; i++, sib = sib.nextSibling) {
      if (sib.nodeType === 1 && hasControl(sib)) return '';
      var t = (sib.nodeType === 3 || sib.nodeType === 1) ? nodeText(sib) : '';
      if (t) return t.length > 20 ? '' : t;
    }
    return '';
  }
  // ancestors as numbers (unique within this extraction): containment without a <form> (the letter vs a header login)
  var ancIds = new Map();
  var ancN = 0;
  function idOf(a) {
    var id = ancIds.get(a);
    if (id === undefined) { id = ancN++; ancIds.set(a, id); }
    return id;
  }
  function ancestorsOf(el) {
    var out = [];
    for (var a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) out.push(idOf(a));
    return out;
  }
  // the dialog / overlay drawn over the page that holds the control (a 须知 modal with 我已阅读并同意): its number
  // (as in ancestorsOf), or undefined
  function overlayOf(el) {
    for (var a = el; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (a.tagName === 'DIALOG' || a.getAttribute('role') === 'dialog' || a.getAttribute('aria-modal') === 'true') return idOf(a);
      var pos = getComputedStyle(a).position;
      if (pos === 'fixed') return idOf(a);
      if (pos === 'absolute' && /layer|modal|dialog|popup|pop-|mask|xuzhi|notice|tanchu/i.test(typeof a.className === 'string' ? a.className : '')) return idOf(a);
    }
    return undefined;
  }
  // the hint after a text field: （限10字以内）, in its cell or the next one
  function hintOf(el) {
    var out = '';
    for (var sib = el.nextSibling, i = 0; sib && i < 4 && out.length < 60; sib = sib.nextSibling, i++) {
      if (sib.nodeType === 1 && hasControl(sib)) break;
      out += (sib.nodeType === 3 || sib.nodeType === 1) ? nodeText(sib) : '';
    }
    var cell = el.parentElement;
    if (!out && cell && cell.tagName === 'TD' && cell.nextElementSibling && !hasControl(cell.nextElementSibling)) out = nodeText(cell.nextElementSibling);
    return out.slice(0, 60);
  }
  // required as the page marks it: the attribute, a class, the validation libraries of government sites (layui
  // lay-verify, Validform datatype unless ignore=ignore, easyui data-options, data-rule), a form item marked
  // required whose * is drawn by CSS (Element UI, Ant Design, iView), a * before or right after the control
  function requiredOf(el) {
    if (el.required || el.getAttribute('aria-required') === 'true') return true;
    if (/required|must|bt|notnull/i.test(typeof el.className === 'string' ? el.className : '')) return true;
    if (/required/.test(el.getAttribute('lay-verify') || '')) return true;
    if (el.getAttribute('datatype') && el.getAttribute('ignore') !== 'ignore') return true;
    var rules = ['data-options', 'data-rule', 'data-rules', 'data-validate', 'data-verify', 'validate', 'v-validate'].map(function (a) { return el.getAttribute(a) || ''; }).join(' ');
    if (/required\s*:\s*true|(^|[\s;:|,'"])required\b/.test(rules)) return true;
    var item = el.closest && el.closest('.el-form-item, .ant-form-item, .ivu-form-item, .form-item, .form-group');
    if (item && (/(^|\s)(is-required|ivu-form-item-required|required)(\s|$)/.test(item.className) || item.querySelector('.ant-form-item-required'))) return true;
    return /[*＊]/.test(nearTextOf(el)) || /^[*＊]$/.test(trailingText(el));
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
      required: requiredOf(el),
      visible: isChoice ? choiceVisible(el) : shown(el), form: formIndex(el)
    };
    if (el.maxLength && el.maxLength > 0) base.maxLength = el.maxLength;
    if (el.minLength && el.minLength > 0) base.minLength = el.minLength;
    base.anc = ancestorsOf(el);
    if (tag === 'textarea' || (tag === 'input' && !isChoice)) { var h = hintOf(el); if (h) base.hint = h; }
    if (type === 'checkbox' && /阅读|同意|知悉|须知|承诺/.test(base.label + base.nearText + trailingText(el))) base.overlay = overlayOf(el);
    if (el.disabled) base.disabled = true;
    if (tag === 'select') base.options = Array.prototype.map.call(el.options, function (o) { return { value: o.value, text: txt(o.text), disabled: o.disabled }; });
    if (type === 'radio') {
      var g = (el.getAttribute('name') || base.key) + '#' + base.form;
      // the option's text: its <label>, else the text right after it (<input type=radio>是), else its value
      var otext = base.label || trailingText(el) || txt(el.value);
      if (groups[g]) { groups[g].options.push({ value: base.key, text: otext }); groups[g].visible = groups[g].visible || base.visible; continue; }
      base.value = el.value;
      base.options = [{ value: base.key, text: otext }];
      groups[g] = base;
    }
    if (type === 'checkbox') base.value = el.value;
    if ((type === 'button' || type === 'submit' || type === 'image') && /阅读|同意|知悉|接受|确定|确认|知道了|继续/.test(base.text) && base.visible) base.overlay = overlayOf(el);
    base.imageNearby = around(el, function (s) { return !!s.querySelector('img, canvas'); });
    base.captchaImageNearby = base.imageNearby && around(el, captchaImage);
    base.smsButtonNearby = around(el, function (s) { return /获取.{0,4}验证码|发送.{0,4}验证码|获取短信|免费获取|获取动态码/.test(buttonsText(s)); });
    fields.push(base);
  }
  // Rich-text editors (KindEditor/UEditor: an iframe in design mode; wangEditor/Quill: a contenteditable element)
  // stand in for the body's textarea: reported as textareas of type 'richtext', labelled like one.
  function richField(el) {
    var row = el.closest && el.closest('tr');
    var near = '';
    if (row && row.cells && row.cells.length > 1 && !row.cells[0].contains(el)) near = nodeText(row.cells[0]);
    if (!near || near.length > 40) {
      var box = el;
      // climb out of the editor's own wrappers (toolbar + text container) to the field's container
      for (var up = 0; up < 3 && box.parentElement && box.parentElement !== document.body && !hasLabelBefore(box); up++) box = box.parentElement;
      near = nearTextOf(box);
    }
    return {
      key: key(el), frame: frameIndex, tag: 'textarea', type: 'richtext', name: el.getAttribute('name') || '', id: el.id || '',
      placeholder: el.getAttribute('placeholder') || el.getAttribute('data-placeholder') || '', label: el.getAttribute('aria-label') || '', nearText: near, text: '',
      title: el.getAttribute('title') || '', action: '', required: false, visible: shown(el), form: formIndex(el), anc: ancestorsOf(el)
    };
  }
  function hasLabelBefore(node) {
    var p = node.previousElementSibling;
    return !!p && (p.tagName === 'LABEL' || /label|title|name/i.test(typeof p.className === 'string' ? p.className : '')) && nodeText(p).length > 0 && nodeText(p).length <= 40;
  }
  var editables = document.querySelectorAll('[contenteditable]');
  for (var e = 0; e < editables.length; e++) {
    var ed = editables[e];
    if (!ed.isContentEditable || ed === document.body || (ed.parentElement && ed.parentElement.isContentEditable)) continue;
    var er = ed.getBoundingClientRect();
    if (er.width < 100 || er.height < 30) continue;
    fields.push(richField(ed));
  }
  var ifrs = document.querySelectorAll('iframe');
  for (var fi = 0; fi < ifrs.length; fi++) {
    var idoc = null;
    try { idoc = ifrs[fi].contentDocument; } catch (err) { idoc = null; }
    if (!idoc || !idoc.body) continue;
    if (idoc.designMode !== 'on' && !idoc.body.isContentEditable) continue;
    fields.push(richField(ifrs[fi]));
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
    var cfield = {
      key: key(c), frame: frameIndex, tag: c.tagName === 'BUTTON' ? 'button' : 'a', type: c.tagName === 'BUTTON' ? (c.getAttribute('type') || 'submit').toLowerCase() : '',
      name: c.getAttribute('name') || '', id: c.id || '', placeholder: '', label: '', nearText: '', text: ctext,
      title: c.getAttribute('title') || '', action: (c.getAttribute('href') || '') + ' ' + (c.getAttribute('onclick') || '') + (cimg ? ' img:' + (cimg.getAttribute('src') || '') : ''),
      required: false, visible: shown(c), form: formIndex(c), disabled: isDisabled(c), anc: ancestorsOf(c)
    };
    if (/阅读|同意|知悉|接受|确定|确认|知道了|继续/.test(ctext) && cfield.visible) cfield.overlay = overlayOf(c);
    fields.push(cfield);
  }
  var imgs = document.querySelectorAll('img');
  var bodyText = document.body ? (document.body.innerText || '') : '';
  return {
    fields: fields,
    text: bodyText.slice(0, 20000),
    hasPassword: !!Array.prototype.some.call(document.querySelectorAll('input[type=password]'), shown),
    title: document.title || '',
    images: imgs.length,
    metaRefresh: !!document.querySelector('meta[http-equiv="refresh" i]'),
    scripted: document.scripts.length > 0
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
      if (a.kind === 'text' && el.tagName !== 'TEXTAREA' && el.tagName !== 'INPUT') {
        // a rich-text editor: an iframe in design mode, or a contenteditable element
        var doc = el.tagName === 'IFRAME' ? el.contentDocument : document;
        var target = el.tagName === 'IFRAME' ? doc.body : el;
        var esc = String(a.value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        target.focus && target.focus();
        target.innerHTML = '<p>' + esc + '</p>';
        ['input', 'keyup', 'change', 'blur'].forEach(function (t) { target.dispatchEvent(new Event(t, { bubbles: true })); });
        // the hidden textarea the editor syncs to on submit gets the text too (in case the sync is lazy)
        var scope = el.parentElement;
        for (var up = 0; up < 3 && scope; up++, scope = scope.parentElement) {
          var hidden = Array.prototype.filter.call(scope.querySelectorAll('textarea'), function (t) { return t.getBoundingClientRect().width < 2; });
          if (hidden.length === 1) { hidden[0].value = target.innerHTML; break; }
        }
        out[a.key] = (target.innerText || target.textContent || '').trim();
      } else if (a.kind === 'text') {
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

/** Visible text of the frame (modals included) and whether a textarea (or a rich-text editor) is still shown. */
export const OBSERVE_JS = String.raw`(function () {
  var t = document.body ? (document.body.innerText || '') : '';
  function big(e) { var r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2; }
  var ta = Array.prototype.some.call(document.querySelectorAll('textarea'), big) ||
    Array.prototype.some.call(document.querySelectorAll('[contenteditable]'), function (e) { return e.isContentEditable && e !== document.body && big(e); }) ||
    Array.prototype.some.call(document.querySelectorAll('iframe'), function (f) { try { var d = f.contentDocument; return !!d && !!d.body && (d.designMode === 'on' || d.body.isContentEditable) && big(f); } catch (x) { return false; } });
  // the browser's own validation (required, pattern…) blocks a native submission: its message, first invalid control
  var invalid = '';
  var bad = document.querySelectorAll('input:invalid, select:invalid, textarea:invalid');
  for (var i = 0; i < bad.length && !invalid; i++) {
    var b = bad[i];
    if (!b.form || !b.validationMessage) continue;
    invalid = (b.getAttribute('name') || b.id || b.tagName.toLowerCase()) + ': ' + b.validationMessage;
  }
  return { text: t.slice(0, 20000), ready: document.readyState, textarea: ta, invalid: invalid };
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

/** The current value and options of selects, by key (cascading selects filled by script). Argument: keys. */
export const SELECT_STATE_JS = String.raw`(function (keys) {
  var out = {};
  keys.forEach(function (k) {
    var el = document.querySelector('[data-hx="' + k + '"]');
    if (!el || el.tagName !== 'SELECT') { out[k] = null; return; }
    out[k] = { value: el.value, options: Array.prototype.map.call(el.options, function (o) { return { value: o.value, text: (o.text || '').replace(/\s+/g, ' ').trim(), disabled: o.disabled }; }) };
  });
  return out;
})`;

/** Whether a control is still shown (a dialog's 同意 link disappears once accepted). Argument: key. */
export const SHOWN_JS = String.raw`(function (k) {
  var el = document.querySelector('[data-hx="' + k + '"]');
  if (!el) return false;
  var r = el.getBoundingClientRect();
  var s = getComputedStyle(el);
  return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none';
})`;
