/* The modeler's properties panel: only what cwflow's engine reads (workflows/README.md).
 * Lanes name a role; user tasks name a form and a due date (spiffworkflow:properties);
 * scripts, pre-/post-scripts, flow conditions and timer expressions are restricted Python.
 * Every change goes through bpmn-js `modeling`, so it can be undone. */
(function () {
  'use strict';

  var _ = window.cwflowText;
  var FORM_KEY = 'formJsonSchemaFilename';
  var DUE = [
    ['', _('不设时限')],
    ['dueInDays', _('自然日（dueInDays）')],
    ['dueInWorkingDays', _('工作日（dueInWorkingDays）')],
    ['dueAt', _('表达式（dueAt）')]
  ];
  var TIMER_KINDS = [['timeDate', _('时间点')], ['timeDuration', _('持续时间')], ['timeCycle', _('循环')]];
  var KEY_PATTERN = /^[a-z][a-z0-9_]{1,63}$/;

  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) { return; }
      if (name === 'text') { node.textContent = value; } else if (name.slice(0, 2) === 'on') {
        node.addEventListener(name.slice(2), value);
      } else if (name in node && name !== 'list') { node[name] = value; } else { node.setAttribute(name, value); }
    });
    Array.prototype.slice.call(arguments, 2).forEach(function (child) {
      if (child !== null && child !== undefined) { node.append(child); }
    });
    return node;
  }

  function field(label, control, hint) {
    var id = 'prop-' + Math.random().toString(36).slice(2, 9);
    control.id = id;
    return h('div', { className: 'field' }, h('label', { htmlFor: id, text: label }), control,
      hint ? h('p', { className: 'hint', text: hint }) : null);
  }

  function Panel(modeler, container, config) {
    this.modeler = modeler;
    this.container = container;
    this.roles = config.roles || [];
    this.forms = config.forms || [];
    var self = this;
    modeler.on('selection.changed', function (event) {
      self.render(event.newSelection.length === 1 ? event.newSelection[0] : null);
    });
    modeler.on('import.done', function () { self.render(null); });
  }

  Panel.prototype.service = function (name) { return this.modeler.get(name); };

  Panel.prototype.roleFor = function (laneName) {
    var name = (laneName || '').trim();
    return this.roles.find(function (r) { return r.key === name || r.name === name; }) || null;
  };

  Panel.prototype.render = function (element) {
    var body = [];
    var bo = element && element.businessObject;
    if (!element || bo.$instanceOf('bpmn:Collaboration') || bo.$instanceOf('bpmn:Process') ||
        bo.$instanceOf('bpmn:Participant')) {
      body = this.processSection(element);
    } else {
      body.push(h('p', { className: 'element-type', text: bo.$type.replace('bpmn:', '') + ' · ' + bo.id }));
      if (!bo.$instanceOf('bpmn:Lane')) { body.push(this.nameField(element)); }
      if (bo.$instanceOf('bpmn:Lane')) { body = body.concat(this.laneSection(element)); }
      if (bo.$instanceOf('bpmn:UserTask')) { body = body.concat(this.userTaskSection(element)); }
      if (bo.$instanceOf('bpmn:ScriptTask')) { body.push(this.scriptField(element)); }
      if (bo.$instanceOf('bpmn:Activity') && !bo.$instanceOf('bpmn:SubProcess')) {
        body = body.concat(this.extensionScripts(element));
      }
      if (bo.$instanceOf('bpmn:SequenceFlow')) { body.push(this.conditionField(element)); }
      var timer = (bo.eventDefinitions || []).find(function (d) { return d.$instanceOf('bpmn:TimerEventDefinition'); });
      if (timer) { body = body.concat(this.timerSection(element, timer)); }
    }
    this.container.replaceChildren(h('h2', { text: _('属性') }), ...body);
  };

  /* --- the process: its key and name ---------------------------------------------------------- */

  Panel.prototype.processOf = function (element) {
    var root = element || this.service('canvas').getRootElement();
    var bo = root && root.businessObject;
    if (!bo) { return null; }
    if (bo.$instanceOf('bpmn:Participant')) { return { element: root, process: bo.processRef }; }
    if (bo.$instanceOf('bpmn:Process')) { return { element: root, process: bo }; }
    var participant = this.service('elementRegistry').find(function (e) {
      return e.businessObject.$instanceOf('bpmn:Participant') && e.businessObject.processRef;
    });
    return participant ? { element: participant, process: participant.businessObject.processRef } : null;
  };

  Panel.prototype.processSection = function (element) {
    var found = this.processOf(element);
    if (!found) { return [h('p', { className: 'hint', text: _('此图没有流程。') })]; }
    var modeling = this.service('modeling');
    var process = found.process;
    var error = h('p', { className: 'field-error', role: 'alert' });
    var key = h('input', { value: process.id, spellcheck: false, oninput: function () {
      var value = key.value.trim();
      if (!KEY_PATTERN.test(value)) { error.textContent = _('流程标识为小写字母开头的字母、数字或下划线'); return; }
      error.textContent = '';
      modeling.updateModdleProperties(found.element, process, { id: value, isExecutable: true });
    } });
    var name = h('input', { value: process.name || '', oninput: function () {
      modeling.updateModdleProperties(found.element, process, { name: name.value });
    } });
    return [
      h('p', { className: 'element-type', text: _('流程') }),
      field(_('流程标识（key）'), key, _('部署后作为流程的 key；同一标识再次部署即为新版本。')), error,
      field(_('流程名称'), name)
    ];
  };

  Panel.prototype.nameField = function (element) {
    var modeling = this.service('modeling');
    var input = h('input', { value: element.businessObject.name || '', oninput: function () {
      modeling.updateProperties(element, { name: input.value });
    } });
    input.dataset.prop = 'name';
    return field(_('名称'), input);
  };

  /* --- lanes are roles ----------------------------------------------------------------------- */

  Panel.prototype.laneSection = function (element) {
    var self = this;
    var modeling = this.service('modeling');
    var warning = h('p', { className: 'field-error', role: 'alert' });
    var select = h('select', { onchange: function () {
      var role = self.roles.find(function (r) { return r.key === select.value; });
      if (role) { modeling.updateProperties(element, { name: role.name }); name.value = role.name; sync(); }
    } }, h('option', { value: '', text: _('— 选择角色 —') }));
    select.dataset.prop = 'role';
    this.roles.forEach(function (role) {
      select.append(h('option', { value: role.key, text: _('%(role)s（%(key)s）', { role: role.label, key: role.key }) }));
    });
    var name = h('input', { value: element.businessObject.name || '', oninput: function () {
      modeling.updateProperties(element, { name: name.value });
      sync();
    } });
    name.dataset.prop = 'name';
    function sync() {
      var role = self.roleFor(name.value);
      select.value = role ? role.key : '';
      warning.textContent = role ? '' : _('泳道名称须为角色名或角色标识，否则任务无人办理');
    }
    sync();
    return [field(_('角色'), select, _('泳道即角色：泳道名称写作角色的中文名。')), field(_('泳道名称'), name), warning];
  };

  /* --- spiffworkflow:properties ---------------------------------------------------------------- */

  Panel.prototype.properties = function (bo) {
    var result = {};
    var ext = bo.extensionElements;
    (ext ? ext.get('values') : []).forEach(function (value) {
      if (value.$instanceOf('spiffworkflow:Properties')) {
        value.get('properties').forEach(function (p) { if (p.name) { result[p.name] = p.value || ''; } });
      }
    });
    return result;
  };

  Panel.prototype.extensionElements = function (element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      var ext = this.service('moddle').create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      this.service('modeling').updateProperties(element, { extensionElements: ext });
    }
    return bo.extensionElements;
  };

  /* Set (value is a non-empty string) or remove (empty/null) spiffworkflow properties. */
  Panel.prototype.setProperties = function (element, changes) {
    var moddle = this.service('moddle');
    var modeling = this.service('modeling');
    var ext = this.extensionElements(element);
    var container = ext.get('values').find(function (v) { return v.$instanceOf('spiffworkflow:Properties'); });
    if (!container) {
      container = moddle.create('spiffworkflow:Properties', { properties: [] });
      container.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: ext.get('values').concat([container]) });
    }
    Object.keys(changes).forEach(function (name) {
      var value = changes[name] === null || changes[name] === undefined ? '' : String(changes[name]).trim();
      var list = container.get('properties');
      var existing = list.find(function (p) { return p.name === name; });
      if (!value && existing) {
        modeling.updateModdleProperties(element, container, { properties: list.filter(function (p) { return p !== existing; }) });
      } else if (value && existing) {
        modeling.updateModdleProperties(element, existing, { value: value });
      } else if (value) {
        var created = moddle.create('spiffworkflow:Property', { name: name, value: value });
        created.$parent = container;
        modeling.updateModdleProperties(element, container, { properties: list.concat([created]) });
      }
    });
    if (!container.get('properties').length) {
      modeling.updateModdleProperties(element, ext, { values: ext.get('values').filter(function (v) { return v !== container; }) });
    }
  };

  Panel.prototype.userTaskSection = function (element) {
    var self = this;
    var props = this.properties(element.businessObject);
    var current = props[FORM_KEY] || '';
    var form = h('select', { onchange: function () {
      var change = {}; change[FORM_KEY] = form.value; self.setProperties(element, change);
    } }, h('option', { value: '', text: _('— 选择表单 —') }));
    form.dataset.prop = 'form';
    var known = false;
    this.forms.forEach(function (f) {
      known = known || f.name === current;
      form.append(h('option', { value: f.name, text: (f.title ? f.title + ' · ' : '') + f.name }));
    });
    if (current && !known) { form.append(h('option', { value: current, text: _('%(form)s（表单库中没有）', { form: current }) })); }
    form.value = current;

    var kind = DUE.map(function (d) { return d[0]; }).find(function (k) { return k && props[k] !== undefined; }) || '';
    var dueValue = h('input', { value: kind ? props[kind] : '', placeholder: _('天数、政策参数名或表达式'),
      disabled: !kind, oninput: function () { saveDue(); } });
    dueValue.dataset.prop = 'due-value';
    var dueKind = h('select', { onchange: function () { dueValue.disabled = !dueKind.value; saveDue(); } });
    dueKind.dataset.prop = 'due-kind';
    DUE.forEach(function (d) { dueKind.append(h('option', { value: d[0], text: d[1] })); });
    dueKind.value = kind;
    function saveDue() {
      var changes = {};
      DUE.forEach(function (d) { if (d[0]) { changes[d[0]] = d[0] === dueKind.value ? dueValue.value : ''; } });
      self.setProperties(element, changes);
    }
    return [
      field(_('表单'), form, _('提交的数据保存在以表单文件名（不含 .json）为键的任务数据中。')),
      field(_('办理时限'), dueKind),
      field(_('时限值'), dueValue, _('天数（如 30）、config/policy.py 中的政策参数名，或 dueAt 的日期表达式。'))
    ];
  };

  /* --- scripts and conditions ------------------------------------------------------------------ */

  function code(value, oninput) {
    return h('textarea', { className: 'code', rows: 6, spellcheck: false, value: value || '', oninput: oninput });
  }

  Panel.prototype.scriptField = function (element) {
    var modeling = this.service('modeling');
    var area = code(element.businessObject.script, function () {
      modeling.updateProperties(element, { scriptFormat: 'python', script: area.value });
    });
    area.dataset.prop = 'script';
    return field(_('脚本（受限 Python）'), area, _('可用 policy()、add_days()、add_working_days()、today()、set_outcome()、notify() 等。'));
  };

  Panel.prototype.extensionScripts = function (element) {
    var self = this;
    return [['spiffworkflow:PreScript', _('前置脚本（preScript）')], ['spiffworkflow:PostScript', _('后置脚本（postScript）')]]
      .map(function (pair) {
        var type = pair[0];
        var ext = element.businessObject.extensionElements;
        var existing = ext && ext.get('values').find(function (v) { return v.$instanceOf(type); });
        var area = code(existing && existing.value, function () { self.setScript(element, type, area.value); });
        area.rows = 3;
        return field(pair[1], area);
      });
  };

  Panel.prototype.setScript = function (element, type, value) {
    var modeling = this.service('modeling');
    var ext = this.extensionElements(element);
    var values = ext.get('values');
    var existing = values.find(function (v) { return v.$instanceOf(type); });
    if (!value.trim()) {
      if (existing) { modeling.updateModdleProperties(element, ext, { values: values.filter(function (v) { return v !== existing; }) }); }
    } else if (existing) {
      modeling.updateModdleProperties(element, existing, { value: value });
    } else {
      var created = this.service('moddle').create(type, { value: value });
      created.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: values.concat([created]) });
    }
  };

  Panel.prototype.conditionField = function (element) {
    var moddle = this.service('moddle');
    var modeling = this.service('modeling');
    var condition = element.businessObject.conditionExpression;
    var area = code(condition && condition.body, function () {
      var text = area.value.trim();
      modeling.updateProperties(element, {
        conditionExpression: text ? moddle.create('bpmn:FormalExpression', { body: area.value }) : undefined
      });
    });
    area.rows = 3;
    area.dataset.prop = 'condition';
    return field(_('条件表达式'), area, _('如 resignation_street_decision["decision"] == "approve"；网关的默认流不需要条件。'));
  };

  Panel.prototype.timerSection = function (element, timer) {
    var moddle = this.service('moddle');
    var modeling = this.service('modeling');
    var kind = TIMER_KINDS.map(function (k) { return k[0]; }).find(function (k) { return timer[k]; }) || 'timeDate';
    var select = h('select', {}, ...TIMER_KINDS.map(function (k) { return h('option', { value: k[0], text: k[1] }); }));
    select.value = kind;
    var area = code(timer[kind] && timer[kind].body, null);
    area.rows = 2;
    function save() {
      var changes = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      if (area.value.trim()) { changes[select.value] = moddle.create('bpmn:FormalExpression', { body: area.value }); }
      modeling.updateModdleProperties(element, timer, changes);
    }
    select.addEventListener('change', save);
    area.addEventListener('input', save);
    return [field(_('定时器类型'), select),
      field(_('定时器表达式'), area, _('字符串要加引号，如 "P5D"，或带 +08:00 的日期时间。'))];
  };

  window.CwflowPanel = Panel;
}());
