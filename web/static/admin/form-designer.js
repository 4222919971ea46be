/* The form designer: the form's fields as cards an administrator adds, orders (buttons, or drag and
 * drop), removes and configures (type, title, help, required, options, and a condition: "show only
 * when field X is one of …") without writing JSON. A condition is an `allOf` entry of standard
 * JSON Schema, read the same way by the staff pages and the server's validator
 * (engine/workflow/forms.py, shown_when): if X is one of the values then (required) else no value. It edits the schema
 * object in place and calls `changed(schema)` after each edit; the editor page keeps the JSON text
 * and the preview in step. Fields of kinds it does not design (tables, groups, read-only fields…)
 * keep their JSON and can still be titled, explained, required and moved. */
(function () {
  'use strict';

  var _ = window.cwflowText;
  var KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

  function kinds() {
    return [['text', _('单行文字')], ['textarea', _('多行文字')], ['integer', _('整数')], ['number', _('数字')],
      ['date', _('日期')], ['datetime', _('日期和时间')], ['boolean', _('是/否（勾选框）')],
      ['single', _('单选')], ['multiple', _('多选')]];
  }

  function h(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === 'text') { node.textContent = props[key]; }
      else if (key.indexOf('data-') === 0 || key.indexOf('aria-') === 0 || key === 'for') { node.setAttribute(key, props[key]); }
      else { node[key] = props[key]; }
    });
    (children || []).forEach(function (child) { if (child) { node.append(child); } });
    return node;
  }

  function typeOf(prop) {
    var type = prop.type || 'string';
    return Array.isArray(type) ? (type.filter(function (t) { return t !== 'null'; })[0] || 'string') : type;
  }

  function optionsOf(prop) {
    if (Array.isArray(prop.oneOf) && prop.oneOf.length && prop.oneOf.every(function (o) { return o && typeof o === 'object' && 'const' in o; })) {
      return prop.oneOf.map(function (o) { return { value: String(o.const), title: o.title || String(o.const) }; });
    }
    if (Array.isArray(prop.enum)) {
      return prop.enum.filter(function (v) { return v !== null; }).map(function (v) { return { value: String(v), title: String(v) }; });
    }
    return null;
  }

  /* The same reading of a property as the staff pages' form (web/views/schema_form.py). */
  function kindOf(prop) {
    if (!prop || typeof prop !== 'object' || prop.readOnly) { return 'other'; }
    var type = typeOf(prop);
    if (type === 'array') { return optionsOf(prop.items || {}) ? 'multiple' : 'other'; }
    if (type === 'object') { return 'other'; }
    if (type === 'boolean') { return 'boolean'; }
    if (optionsOf(prop)) { return 'single'; }
    if (type === 'integer' || type === 'number') { return type; }
    if (type !== 'string') { return 'other'; }
    if (prop.format === 'date') { return 'date'; }
    if (prop.format === 'date-time') { return 'datetime'; }
    return prop['x-widget'] === 'textarea' ? 'textarea' : 'text';
  }

  /* The values a field offers as a condition's test, as stored (not as text): choices and yes/no. */
  function testValues(prop) {
    var kind = kindOf(prop);
    if (kind === 'boolean') { return [{ value: true, title: _('是') }, { value: false, title: _('否') }]; }
    if (kind !== 'single') { return null; }
    if (Array.isArray(prop.oneOf)) { return prop.oneOf.map(function (o) { return { value: o.const, title: o.title || String(o.const) }; }); }
    return prop.enum.filter(function (v) { return v !== null; }).map(function (v) { return { value: v, title: String(v) }; });
  }

  function fieldOptions(prop) {
    return optionsOf(kindOf(prop) === 'multiple' ? prop.items : prop) || [];
  }

  /* Options keep what else the schema says about them (e.g. `x-return-to`, the diagram's way back). */
  function setOptions(prop, options) {
    var before = {};
    ((kindOf(prop) === 'multiple' ? (prop.items || {}).oneOf : prop.oneOf) || []).forEach(function (o) {
      if (o && typeof o === 'object' && 'const' in o) { before[String(o.const)] = o; }
    });
    var oneOf = options.map(function (o) { return Object.assign({}, before[o.value] || {}, { const: o.value, title: o.title }); });
    if (kindOf(prop) === 'multiple') {
      prop.items = { type: 'string', oneOf: oneOf };
    } else {
      delete prop.enum;
      prop.oneOf = oneOf;
    }
  }

  /* A property of another kind, keeping its title and help (and its options between choices). */
  function converted(prop, kind) {
    var options = fieldOptions(prop);
    if (!options.length) {
      options = [{ value: 'option_1', title: _('选项 %(number)s', { number: 1 }) }, { value: 'option_2', title: _('选项 %(number)s', { number: 2 }) }];
    }
    var oneOf = options.map(function (o) { return { const: o.value, title: o.title }; });
    var next = { type: { integer: 'integer', number: 'number', boolean: 'boolean', multiple: 'array' }[kind] || 'string' };
    if (prop.title) { next.title = prop.title; }
    if (prop.description) { next.description = prop.description; }
    if (kind === 'textarea') { next['x-widget'] = 'textarea'; next.maxLength = 2000; }
    if (kind === 'text') { next.maxLength = 200; }
    if (kind === 'date') { next.format = 'date'; }
    if (kind === 'datetime') { next.format = 'date-time'; }
    if (kind === 'single') { next.oneOf = oneOf; }
    if (kind === 'multiple') { next.items = { type: 'string', oneOf: oneOf }; next.uniqueItems = true; }
    return next;
  }

  window.cwflowFormDesigner = function (root, changed) {
    var schema = { type: 'object', properties: {} };
    var list = root.querySelector('#designer-fields');
    var formTitle = root.querySelector('#designer-title');
    var formHelp = root.querySelector('#designer-description');
    var notice = root.querySelector('#designer-notice');
    var announce = root.querySelector('#designer-status');

    function keys() { return Object.keys(schema.properties || {}); }
    function required() { return Array.isArray(schema.required) ? schema.required : []; }

    function setTopRequired(key, on) {
      var names = required().filter(function (name) { return name !== key; });
      if (on) { names.push(key); }
      if (names.length) { schema.required = names; } else { delete schema.required; }
    }

    /* --- conditions: allOf entries {if: {properties: {X: const|enum}, required: [X]}, then, else} --- */
    function entries() { return Array.isArray(schema.allOf) ? schema.allOf : []; }

    function hiddenOf(entry) {
      var not = entry && entry.else && entry.else.not;
      return not && Array.isArray(not.required) && not.required.length === 1 ? not.required[0] : null;
    }

    function conditionOf(key) {
      var found = null;
      entries().forEach(function (entry) {
        if (found || hiddenOf(entry) !== key || !entry.if || !entry.if.properties) { return; }
        var names = Object.keys(entry.if.properties);
        if (names.length !== 1) { return; }
        var rule = entry.if.properties[names[0]] || {};
        var values = 'const' in rule ? [rule.const] : (Array.isArray(rule.enum) ? rule.enum : null);
        if (values) { found = { entry: entry, field: names[0], values: values }; }
      });
      return found;
    }

    function isRequired(key) {
      var condition = conditionOf(key);
      if (condition) { return ((condition.entry.then || {}).required || []).indexOf(key) >= 0; }
      return required().indexOf(key) >= 0;
    }

    function setRequired(key, on) {
      var condition = conditionOf(key);
      if (!condition) { setTopRequired(key, on); return; }
      if (on) { condition.entry.then = { required: [key] }; } else { delete condition.entry.then; }
    }

    function dropEntries(test) {
      var kept = entries().filter(function (entry) { return !test(entry); });
      if (kept.length) { schema.allOf = kept; } else { delete schema.allOf; }
    }

    /* Show `key` only while `field` holds one of `values` ('' for always); requiredness is kept. */
    function setCondition(key, field, values) {
      var wasRequired = isRequired(key);
      dropEntries(function (entry) { return hiddenOf(entry) === key; });
      if (!field || !values.length) { setTopRequired(key, wasRequired); return; }
      setTopRequired(key, false);
      var rule = values.length === 1 ? { const: values[0] } : { enum: values };
      var test = { properties: {}, required: [field] };
      test.properties[field] = rule;
      var entry = { if: test, else: { not: { required: [key] } } };
      if (wasRequired) { entry.then = { required: [key] }; }
      schema.allOf = entries().concat([entry]);
    }

    /* The conditions `field` controls end (the fields they showed are then always shown). */
    function releaseConditionsOn(field) {
      keys().forEach(function (key) {
        var condition = conditionOf(key);
        if (condition && condition.field === field) { setCondition(key, '', []); }
      });
    }

    function renameInConditions(old, wanted) {
      entries().forEach(function (entry) {
        if (hiddenOf(entry) === old) { entry.else.not.required = [wanted]; }
        if (entry.then && Array.isArray(entry.then.required)) {
          entry.then.required = entry.then.required.map(function (n) { return n === old ? wanted : n; });
        }
        if (entry.if && entry.if.properties && old in entry.if.properties) {
          entry.if.properties = (function () { var p = {}; p[wanted] = entry.if.properties[old]; return p; }());
          entry.if.required = [wanted];
        }
      });
    }

    function reorder(order) {
      var props = {};
      order.forEach(function (key) { props[key] = schema.properties[key]; });
      schema.properties = props;
    }

    function emit(message) {
      if (message) { announce.textContent = message; }
      changed(schema);
    }

    function move(key, step) {
      var order = keys();
      var at = order.indexOf(key);
      var to = at + step;
      if (to < 0 || to >= order.length) { return; }
      order.splice(at, 1);
      order.splice(to, 0, key);
      reorder(order);
      render();
      emit(_('已将“%(title)s”移到第 %(number)s 位。', { title: schema.properties[key].title || key, number: to + 1 }));
      var card = list.querySelector('[data-key="' + key + '"]');
      var button = card.querySelector(step < 0 ? '[data-move="up"]' : '[data-move="down"]');
      (button.disabled ? card.querySelector('[data-move]:not(:disabled)') || card.querySelector('input') : button).focus();
    }

    /* Drag and drop: `key` goes just before (or after) `target`; the buttons stay for the keyboard. */
    function place(key, target, after) {
      if (key === target || !schema.properties[key] || !schema.properties[target]) { return; }
      var order = keys().filter(function (k) { return k !== key; });
      var at = order.indexOf(target) + (after ? 1 : 0);
      order.splice(at, 0, key);
      reorder(order);
      render();
      emit(_('已将“%(title)s”移到第 %(number)s 位。', { title: schema.properties[key].title || key, number: at + 1 }));
      list.querySelector('[data-key="' + key + '"] input[data-prop="title"]').focus();
    }

    function remove(key) {
      var title = schema.properties[key].title || key;
      var at = keys().indexOf(key);
      releaseConditionsOn(key);
      setCondition(key, '', []);
      delete schema.properties[key];
      setTopRequired(key, false);
      render();
      emit(_('已删除字段“%(title)s”。', { title: title }));
      var cards = list.querySelectorAll('.designer-field');
      var next = cards[Math.min(at, cards.length - 1)];
      (next ? next.querySelector('input') : root.querySelector('#designer-add')).focus();
    }

    function add() {
      var number = keys().length + 1;
      var key = 'field_' + number;
      while (schema.properties[key]) { number += 1; key = 'field_' + number; }
      schema.properties[key] = { type: 'string', title: _('新字段 %(number)s', { number: number }), maxLength: 200 };
      render();
      emit(_('已添加字段“%(title)s”。', { title: schema.properties[key].title }));
      list.querySelector('[data-key="' + key + '"] input[data-prop="title"]').select();
    }

    function rename(card, input) {
      var old = card.dataset.key;
      var wanted = input.value.trim();
      var problem = card.querySelector('.designer-key-error');
      problem.textContent = '';
      input.removeAttribute('aria-invalid');
      if (wanted === old) { return; }
      if (!KEY.test(wanted)) {
        problem.textContent = _('字段名须以英文字母或下划线开头，只含英文字母、数字和下划线。');
      } else if (schema.properties[wanted]) {
        problem.textContent = _('字段名 %(key)s 已被其他字段使用。', { key: wanted });
      } else {
        var order = keys().map(function (key) { return key === old ? wanted : key; });
        schema.properties[wanted] = schema.properties[old];
        reorder(order);
        var wasRequired = required().indexOf(old) >= 0;
        setTopRequired(old, false);
        if (wasRequired) { setTopRequired(wanted, true); }
        renameInConditions(old, wanted);
        card.dataset.key = wanted;
        card.querySelector('.designer-key').textContent = wanted;
        emit();
        return;
      }
      input.setAttribute('aria-invalid', 'true');
    }

    function optionRow(card, key, option, index) {
      var id = card.id + '-opt-' + index;
      return h('li', { className: 'designer-option' }, [
        h('label', { 'for': id + '-title', text: _('选项文字') }),
        h('input', { id: id + '-title', value: option.title, 'data-option': index, 'data-part': 'title' }),
        h('label', { 'for': id + '-value', text: _('保存的值') }),
        h('input', { id: id + '-value', value: option.value, className: 'code', 'data-option': index, 'data-part': 'value' }),
        h('button', { type: 'button', text: _('删除'), 'data-option-remove': index,
          'aria-label': _('删除选项“%(title)s”', { title: option.title }) })
      ]);
    }

    function conditionBox(key, id) {
      var condition = conditionOf(key);
      var select = h('select', { id: id + '-when', 'data-prop': 'when' });
      select.append(h('option', { value: '', text: _('始终显示') }));
      keys().forEach(function (other) {
        if (other === key || !testValues(schema.properties[other])) { return; }
        select.append(h('option', { value: other, selected: condition && condition.field === other,
          text: _('仅当“%(title)s”为所选项时显示', { title: schema.properties[other].title || other }) }));
      });
      var box = h('fieldset', { className: 'designer-condition' }, [
        h('legend', { text: _('显示条件') }),
        h('label', { 'for': id + '-when', className: 'sr-only', text: _('显示条件') }), select
      ]);
      var values = condition && schema.properties[condition.field] ? testValues(schema.properties[condition.field]) : null;
      if (values) {
        var group = h('ul', { className: 'designer-when-values', 'aria-label': _('显示于以下任一项') });
        values.forEach(function (option, at) {
          var vid = id + '-when-' + at;
          var on = condition.values.some(function (v) { return v === option.value; });
          group.append(h('li', {}, [
            h('input', { type: 'checkbox', id: vid, 'data-when-value': String(at), checked: on }),
            h('label', { 'for': vid, text: option.title })
          ]));
        });
        box.append(group);
        box.append(h('p', { className: 'hint', text: _('隐藏时不填写、不校验；设为必填的，显示时才必填。') }));
      }
      return box;
    }

    function readCondition(node) {
      var key = node.dataset.key;
      var field = node.querySelector('select[data-prop="when"]').value;
      var options = field ? testValues(schema.properties[field]) || [] : [];
      var picked = Array.prototype.filter.call(node.querySelectorAll('[data-when-value]'), function (box) { return box.checked; })
        .map(function (box) { return options[Number(box.dataset.whenValue)]; }).filter(Boolean);
      var previous = conditionOf(key);
      if (field && (!previous || previous.field !== field)) { picked = options.slice(0, 1); }  // a new test starts with its first value
      return { key: key, field: field, values: picked.map(function (o) { return o.value; }) };
    }

    function card(key, index, count) {
      var prop = schema.properties[key];
      var kind = kindOf(prop);
      var id = 'designer-' + index;
      var title = prop.title || key;
      var node = h('li', { className: 'designer-field', id: id, 'data-key': key });
      var typeSelect = h('select', { id: id + '-kind', 'data-prop': 'kind' });
      kinds().forEach(function (k) { typeSelect.append(h('option', { value: k[0], text: k[1], selected: k[0] === kind })); });
      if (kind === 'other') {
        typeSelect.prepend(h('option', { value: 'other', text: _('其他（在 JSON 中编辑）'), selected: true }));
      }
      var requiredNow = isRequired(key);
      node.append(
        h('div', { className: 'designer-head' }, [
          h('span', { className: 'designer-handle', draggable: true, text: '⠿', 'aria-hidden': 'true',
            title: _('拖动以调整顺序（也可用“上移”“下移”按钮）') }),
          h('span', { className: 'designer-number', text: String(index + 1) + '.' }),
          h('strong', { className: 'designer-caption', text: title }),
          h('code', { className: 'designer-key', text: key }),
          h('span', { className: 'designer-moves' }, [
            h('button', { type: 'button', text: _('上移'), 'data-move': 'up', disabled: index === 0,
              'aria-label': _('上移字段“%(title)s”', { title: title }) }),
            h('button', { type: 'button', text: _('下移'), 'data-move': 'down', disabled: index === count - 1,
              'aria-label': _('下移字段“%(title)s”', { title: title }) }),
            h('button', { type: 'button', text: _('删除'), className: 'danger', 'data-remove': '1',
              'aria-label': _('删除字段“%(title)s”', { title: title }) })
          ])
        ]),
        h('div', { className: 'designer-grid' }, [
          h('label', { 'for': id + '-title', text: _('标题') }),
          h('input', { id: id + '-title', value: prop.title || '', 'data-prop': 'title', maxLength: 200 }),
          h('label', { 'for': id + '-kind', text: _('类型') }), typeSelect,
          h('label', { 'for': id + '-description', text: _('说明') }),
          h('input', { id: id + '-description', value: prop.description || '', 'data-prop': 'description', maxLength: 500 }),
          h('label', { 'for': id + '-key', text: _('字段名') }),
          h('div', {}, [
            h('input', { id: id + '-key', value: key, className: 'code', 'data-prop': 'key', maxLength: 64,
              'aria-describedby': id + '-key-help ' + id + '-key-error' }),
            h('p', { className: 'hint', id: id + '-key-help', text: _('数据中的名称（英文），已有案件的数据按此名称保存，改名须谨慎。') }),
            h('p', { className: 'designer-key-error error', id: id + '-key-error', 'aria-live': 'polite' })
          ])
        ]),
        h('div', { className: 'designer-flags' }, [
          h('input', { type: 'checkbox', id: id + '-required', 'data-prop': 'required', checked: requiredNow }),
          h('label', { 'for': id + '-required', text: kind === 'boolean' ? _('必须勾选') : _('必填') })
        ]),
        conditionBox(key, id)
      );
      if (kind === 'single' || kind === 'multiple') {
        var options = h('ol', { className: 'designer-options' });
        fieldOptions(prop).forEach(function (option, at) { options.append(optionRow(node, key, option, at)); });
        node.append(h('fieldset', { className: 'designer-choices' }, [
          h('legend', { text: _('选项') }), options,
          h('button', { type: 'button', text: _('添加选项'), 'data-option-add': '1' })
        ]));
      }
      return node;
    }

    function render() {
      formTitle.value = schema.title || '';
      formHelp.value = schema.description || '';
      var order = keys();
      list.replaceChildren.apply(list, order.map(function (key, index) { return card(key, index, order.length); }));
      if (!order.length) { list.append(h('li', { className: 'hint', text: _('还没有字段。') })); }
    }

    function cardOf(node) { return node.closest('.designer-field'); }

    function readOptions(node) {
      return Array.prototype.map.call(node.querySelectorAll('.designer-option'), function (row) {
        return { title: row.querySelector('[data-part="title"]').value, value: row.querySelector('[data-part="value"]').value };
      });
    }

    root.addEventListener('input', function (event) {
      var target = event.target;
      if (target === formTitle || target === formHelp) {
        var keyword = target === formTitle ? 'title' : 'description';
        if (target.value) { schema[keyword] = target.value; } else { delete schema[keyword]; }
        emit();
        return;
      }
      var node = cardOf(target);
      if (!node) { return; }
      var prop = schema.properties[node.dataset.key];
      var which = target.dataset.prop;
      if (which === 'title' || which === 'description') {
        if (target.value) { prop[which] = target.value; } else { delete prop[which]; }
        if (which === 'title') { node.querySelector('.designer-caption').textContent = target.value || node.dataset.key; }
        emit();
      } else if (target.dataset.part) {
        setOptions(prop, readOptions(node));
        emit();
      }
    });

    root.addEventListener('change', function (event) {
      var target = event.target;
      var node = cardOf(target);
      if (!node) { return; }
      var key = node.dataset.key;
      var prop = schema.properties[key];
      if (target.dataset.prop === 'when' || target.dataset.whenValue !== undefined) {
        var wanted = readCondition(node);
        if (target.dataset.whenValue !== undefined && !wanted.values.length) {
          target.checked = true;
          announce.textContent = _('至少选择一项；要始终显示，请在“显示条件”中选“始终显示”。');
          return;
        }
        setCondition(key, wanted.field, wanted.values);
        render();
        emit(wanted.field ? _('“%(title)s”仅在“%(other)s”为所选项时显示。', { title: prop.title || key,
          other: schema.properties[wanted.field].title || wanted.field }) : _('“%(title)s”始终显示。', { title: prop.title || key }));
        var again = list.querySelector('[data-key="' + key + '"]');
        (target.dataset.prop === 'when' ? again.querySelector('select[data-prop="when"]')
          : again.querySelector('[data-when-value="' + target.dataset.whenValue + '"]')).focus();
      } else if (target.dataset.prop === 'key') {
        rename(node, target);
      } else if (target.dataset.prop === 'required') {
        setRequired(key, target.checked);
        if (kindOf(prop) === 'boolean') {
          if (target.checked) { prop.const = true; } else { delete prop.const; }
        }
        emit(target.checked ? _('“%(title)s”已设为必填。', { title: prop.title || key })
          : _('“%(title)s”已设为选填。', { title: prop.title || key }));
      } else if (target.dataset.prop === 'kind' && target.value !== 'other') {
        schema.properties[key] = converted(prop, target.value);
        releaseConditionsOn(key);  // the values its conditions tested are gone with the old kind
        if (target.value === 'boolean' && required().indexOf(key) >= 0) { schema.properties[key].const = true; }
        render();
        emit();
        list.querySelector('[data-key="' + key + '"] select[data-prop="kind"]').focus();
      }
    });

    var dragged = null;
    list.addEventListener('dragstart', function (event) {
      var handle = event.target.closest && event.target.closest('.designer-handle');
      if (!handle) { return; }
      dragged = cardOf(handle).dataset.key;
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged);
      cardOf(handle).classList.add('dragging');
    });
    list.addEventListener('dragover', function (event) {
      var over = dragged && event.target.closest && cardOf(event.target);
      if (!over) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      list.querySelectorAll('.drop-target').forEach(function (n) { n.classList.remove('drop-target'); });
      if (over.dataset.key !== dragged) { over.classList.add('drop-target'); }
    });
    list.addEventListener('drop', function (event) {
      var over = dragged && event.target.closest && cardOf(event.target);
      if (!over) { return; }
      event.preventDefault();
      var box = over.getBoundingClientRect();
      var key = dragged;
      dragged = null;
      place(key, over.dataset.key, event.clientY > box.top + box.height / 2);
    });
    list.addEventListener('dragend', function () {
      dragged = null;
      list.querySelectorAll('.dragging, .drop-target').forEach(function (n) { n.classList.remove('dragging', 'drop-target'); });
    });

    root.addEventListener('click', function (event) {
      var button = event.target.closest('button');
      if (!button || !root.contains(button)) { return; }
      if (button.id === 'designer-add') { add(); return; }
      var node = cardOf(button);
      if (!node) { return; }
      var key = node.dataset.key;
      var prop = schema.properties[key];
      if (button.dataset.move) { move(key, button.dataset.move === 'up' ? -1 : 1); }
      else if (button.dataset.remove) { remove(key); }
      else if (button.dataset.optionAdd || button.dataset.optionRemove) {
        var options = fieldOptions(prop);
        if (button.dataset.optionAdd) {
          var number = options.length + 1;
          while (options.some(function (o) { return o.value === 'option_' + number; })) { number += 1; }
          options.push({ value: 'option_' + number, title: _('选项 %(number)s', { number: number }) });
        } else if (options.length <= 1) {
          announce.textContent = _('选择题至少要有一个选项。');
          return;
        } else {
          options.splice(Number(button.dataset.optionRemove), 1);
        }
        setOptions(prop, options);
        render();
        emit();
        var rows = list.querySelectorAll('[data-key="' + key + '"] .designer-option input[data-part="title"]');
        if (rows.length) { rows[button.dataset.optionAdd ? rows.length - 1 : Math.min(Number(button.dataset.optionRemove), rows.length - 1)].focus(); }
      }
    });

    return {
      /* Show `next` (a parsed schema); a value that is not a form object pauses the designer. */
      load: function (next) {
        var usable = next && typeof next === 'object' && !Array.isArray(next) &&
          (next.properties === undefined || (typeof next.properties === 'object' && !Array.isArray(next.properties)));
        root.querySelector('#designer-body').disabled = !usable;
        notice.hidden = usable;
        if (!usable) { return; }
        schema = next;
        if (!schema.properties) { schema.properties = {}; }
        render();
      },
      pause: function () {
        root.querySelector('#designer-body').disabled = true;
        notice.hidden = false;
      }
    };
  };
}());
