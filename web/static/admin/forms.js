/* The form library pages: "new form" on the list, and the editor: the designer, the JSON text
 * kept in step with it, the checks and the live preview. The preview and the checks come from the
 * server (the staff pages' own form macro, and JSON errors in Chinese with line and column); a
 * simple preview is drawn here when the server cannot render the form. */
(function () {
  'use strict';

  var _ = window.cwflowText;
  var root = document.getElementById('admin-root');
  var csrf = root && root.dataset.csrf;

  var newForm = document.getElementById('new-form');
  if (newForm) {
    newForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var name = document.getElementById('new-form-name').value.trim();
      if (!/\.json$/.test(name)) { name += '.json'; }
      window.location.href = newForm.action.replace(/\/$/, '') + '/' + encodeURIComponent(name) + '?new=1';
    });
  }

  var editor = document.getElementById('form-editor');
  if (!editor) { return; }
  var config = JSON.parse(document.getElementById('form-config').textContent);
  var text = document.getElementById('schema-text');
  var checks = document.getElementById('checks');
  var preview = document.getElementById('preview');
  var previewSource = document.getElementById('preview-source');
  var status = document.getElementById('form-status');
  var timer = null;
  var sequence = 0;

  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = props[key]; } else { node[key] = props[key]; }
    });
    (children || []).forEach(function (child) { if (child) { node.append(child); } });
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function showChecks(errors, warnings) {
    checks.replaceChildren();
    errors.forEach(function (m) { checks.append(h('li', { className: 'error', text: m })); });
    warnings.forEach(function (m) { checks.append(h('li', { className: 'warning', text: m })); });
    if (!errors.length && !warnings.length) { checks.append(h('li', { className: 'ok', text: _('表单有效。') })); }
  }

  /* --- a simple preview, used until the staff form macro can render the schema ----------------- */

  function options(schema) {
    if (Array.isArray(schema.oneOf) && schema.oneOf.every(function (o) { return o && 'const' in o; })) {
      return schema.oneOf.map(function (o) { return [String(o.const), o.title || String(o.const)]; });
    }
    if (Array.isArray(schema.enum)) { return schema.enum.map(function (v) { return [String(v), String(v)]; }); }
    return null;
  }

  function control(name, schema) {
    var choices = options(schema);
    var type = schema.type;
    if (choices) {
      var select = h('select', { name: name }, [h('option', { value: '', text: _('请选择') })]);
      choices.forEach(function (c) { select.append(h('option', { value: c[0], text: c[1] })); });
      return select;
    }
    if (type === 'boolean') { return h('input', { type: 'checkbox', name: name }); }
    if (type === 'integer' || type === 'number') { return h('input', { type: 'number', name: name }); }
    if (type === 'array') {
      var itemChoices = options(schema.items || {});
      if (itemChoices) {
        return h('div', {}, itemChoices.map(function (c) {
          return h('label', {}, [h('input', { type: 'checkbox', name: name, value: c[0] }), document.createTextNode(' ' + c[1] + ' ')]);
        }));
      }
      return h('textarea', { name: name, rows: 2, placeholder: _('列表') });
    }
    if (type === 'object') { return h('p', { className: 'hint', text: _('（嵌套对象）') }); }
    if (schema.format === 'date') { return h('input', { type: 'date', name: name }); }
    if (schema['x-widget'] === 'textarea' || (schema.maxLength || 0) > 200) {
      return h('textarea', { name: name, rows: 3 });
    }
    return h('input', { type: 'text', name: name });
  }

  function simplePreview(schema) {
    var required = schema.required || [];
    var nodes = [h('h3', { text: schema.title || _('（无标题）') })];
    if (schema.description) { nodes.push(h('p', { className: 'hint', text: schema.description })); }
    Object.keys(schema.properties || {}).forEach(function (name) {
      var prop = schema.properties[name] || {};
      var label = h('label', { text: prop.title || name, className: required.indexOf(name) >= 0 ? 'required' : '' });
      nodes.push(h('div', { className: 'preview-field' }, [label, control(name, prop),
        prop.description ? h('p', { className: 'hint', text: prop.description }) : null]));
    });
    return nodes;
  }

  function parsed() {
    try {
      return { ok: true, schema: JSON.parse(text.value) };
    } catch (err) {
      return { ok: false };
    }
  }

  function refresh() {
    var mine = ++sequence;
    var current = parsed();
    post(config.previewUrl, { schema: text.value }).then(function (result) {
      if (mine !== sequence || !result.data) { return; }
      showChecks(result.data.errors || [], result.data.warnings || []);
      if ((result.data.errors || []).length || !current.ok) { return; }
      if (result.data.html) {
        preview.innerHTML = result.data.html;  // rendered and escaped by the server's templates
        if (window.cwflowSchemaForm) { window.cwflowSchemaForm.enhance(preview); }
        previewSource.textContent = _('员工页面的表单样式');
      } else {
        preview.replaceChildren.apply(preview, simplePreview(current.schema));
        previewSource.textContent = _('简易预览');
      }
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 350);
  }

  /* Unsaved edits: leaving the page asks first; saving a version clears it. */
  var dirty = false;
  window.addEventListener('beforeunload', function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = '';
  });

  var designer = window.cwflowFormDesigner(document.getElementById('form-designer'), function (schema) {
    text.value = JSON.stringify(schema, null, 2);
    dirty = true;
    later();
  });

  text.addEventListener('input', function () {
    dirty = true;
    var current = parsed();
    if (current.ok) { designer.load(current.schema); } else { designer.pause(); }
    later();
  });

  document.getElementById('btn-save').addEventListener('click', function () {
    status.textContent = _('正在保存…');
    status.className = 'status';
    post(config.saveUrl, { schema: text.value, note: document.getElementById('note').value }).then(function (result) {
      if (result.status === 201 || result.status === 200) {
        dirty = false;
        status.textContent = result.status === 201
          ? _('已保存为版本 %(version)s，下次部署引用它的流程时生效。', { version: result.data.version })
          : _('内容与版本 %(version)s 相同，未生成新版本。', { version: result.data.version });
        status.className = 'status ok';
        if (result.status === 201) {
          status.append(' ', h('a', { href: result.data.url + '?version=' + result.data.version,
            text: _('打开版本 %(version)s', { version: result.data.version }) }));
        }
        showChecks([], result.data.warnings || []);
      } else {
        var error = result.data && result.data.error;
        var fields = (error && error.details && error.details.fields) || {};
        status.textContent = (error && error.message) || _('保存失败');
        status.className = 'status error';
        showChecks([].concat(fields.schema || [], fields.name || []), []);
      }
    });
  });

  var first = parsed();
  if (first.ok) { designer.load(first.schema); } else { designer.pause(); }
  refresh();
}());
