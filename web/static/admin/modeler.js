/* The modeler page: bpmn-js with cwflow's properties panel; validate, deploy and drafts call the
 * server (JSON, with the CSRF token), which runs the same validator as every other upload. */
(function () {
  'use strict';

  var NEW_DIAGRAM = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"',
    ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"',
    ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
    ' id="new_definitions" targetNamespace="urn:cwflow:workflows">',
    '<bpmn:collaboration id="new_collaboration">',
    '<bpmn:participant id="new_pool" name="新流程" processRef="new_process" /></bpmn:collaboration>',
    '<bpmn:process id="new_process" name="新流程" isExecutable="true">',
    '<bpmn:laneSet id="new_lanes"><bpmn:lane id="lane_1" name="街道人事">',
    '<bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>task_1</bpmn:flowNodeRef>',
    '<bpmn:flowNodeRef>end</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>',
    '<bpmn:startEvent id="start" name="开始"><bpmn:outgoing>flow_1</bpmn:outgoing></bpmn:startEvent>',
    '<bpmn:userTask id="task_1" name="审核"><bpmn:incoming>flow_1</bpmn:incoming>',
    '<bpmn:outgoing>flow_2</bpmn:outgoing></bpmn:userTask>',
    '<bpmn:endEvent id="end" name="结束"><bpmn:incoming>flow_2</bpmn:incoming></bpmn:endEvent>',
    '<bpmn:sequenceFlow id="flow_1" sourceRef="start" targetRef="task_1" />',
    '<bpmn:sequenceFlow id="flow_2" sourceRef="task_1" targetRef="end" />',
    '</bpmn:process>',
    '<bpmndi:BPMNDiagram id="new_diagram"><bpmndi:BPMNPlane id="new_plane" bpmnElement="new_collaboration">',
    '<bpmndi:BPMNShape id="new_pool_di" bpmnElement="new_pool" isHorizontal="true">',
    '<dc:Bounds x="120" y="80" width="600" height="200" /></bpmndi:BPMNShape>',
    '<bpmndi:BPMNShape id="lane_1_di" bpmnElement="lane_1" isHorizontal="true">',
    '<dc:Bounds x="150" y="80" width="570" height="200" /></bpmndi:BPMNShape>',
    '<bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="212" y="162" width="36" height="36" />',
    '</bpmndi:BPMNShape>',
    '<bpmndi:BPMNShape id="task_1_di" bpmnElement="task_1"><dc:Bounds x="300" y="140" width="100" height="80" />',
    '</bpmndi:BPMNShape>',
    '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="462" y="162" width="36" height="36" />',
    '</bpmndi:BPMNShape>',
    '<bpmndi:BPMNEdge id="flow_1_di" bpmnElement="flow_1"><di:waypoint x="248" y="180" />',
    '<di:waypoint x="300" y="180" /></bpmndi:BPMNEdge>',
    '<bpmndi:BPMNEdge id="flow_2_di" bpmnElement="flow_2"><di:waypoint x="400" y="180" />',
    '<di:waypoint x="462" y="180" /></bpmndi:BPMNEdge>',
    '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>'
  ].join('\n');

  var _ = window.cwflowText;
  var root = document.getElementById('admin-root');
  var config = JSON.parse(document.getElementById('modeler-config').textContent);
  var csrf = root.dataset.csrf;
  var statusEl = document.getElementById('status');
  var problemsEl = document.getElementById('problems');
  var dirtyEl = document.getElementById('dirty');
  var draftId = config.draftId || null;
  var baseVersion = config.baseVersion || null;
  var marked = [];

  function setStatus(message, kind) {
    statusEl.textContent = message;
    statusEl.className = 'status' + (kind ? ' ' + kind : '');
  }

  if (typeof window.BpmnJS === 'undefined') {
    setStatus(_('建模器组件未加载（web/static/vendor/bpmn-js）。'), 'error');
    return;
  }

  var modeler = new window.BpmnJS({
    container: '#canvas',
    moddleExtensions: { spiffworkflow: window.CwflowSpiffModdle }
  });
  new window.CwflowPanel(modeler, document.getElementById('properties'), config);
  window.cwflowModeler = modeler; // for the browser tests and the console

  /* Unsaved edits: leaving the page asks first; saving a draft or deploying clears it. */
  var dirty = false;
  function setDirty(value) { dirty = value; dirtyEl.hidden = !value; }
  window.addEventListener('beforeunload', function (event) {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = '';
  });
  modeler.on('commandStack.changed', function () { setDirty(true); });

  function open(xml) {
    clearProblems();
    return modeler.importXML(xml).then(function (result) {
      fit();
      setDirty(false);
      if (result.warnings && result.warnings.length) {
        setStatus(_('流程图已打开，但有 %(count)s 处无法识别的内容被忽略。', { count: result.warnings.length }), 'warning');
      }
      root.dataset.ready = '1';
    }).catch(function (err) {
      setStatus(_('无法读取此流程图：%(error)s', { error: err.message }), 'error');
    });
  }

  /* Fit the diagram, then leave room on the left for the palette that floats over the canvas. */
  function fit() {
    var canvas = modeler.get('canvas');
    canvas.zoom('fit-viewport', 'auto');
    var box = canvas.viewbox();
    var pad = 150 / box.scale;
    canvas.viewbox({ x: box.x - pad, y: box.y, width: box.width + pad, height: box.height });
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function postJson(url, body) {
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

  function errorMessage(data, fallback) {
    return (data && data.error && data.error.message) || fallback;
  }

  /* --- problems: a marker and an overlay on each element, and the whole list above ------------ */

  function clearProblems() {
    var canvas = modeler.get('canvas');
    marked.forEach(function (id) { canvas.removeMarker(id, 'cw-error'); });
    marked = [];
    modeler.get('overlays').remove({ type: 'cw-problem' });
    problemsEl.replaceChildren();
  }

  function showProblems(problems) {
    clearProblems();
    var registry = modeler.get('elementRegistry');
    var canvas = modeler.get('canvas');
    var byElement = {};
    problems.forEach(function (problem) {
      var element = problem.element_id ? registry.get(problem.element_id) : null;
      var item = document.createElement('li');
      item.textContent = (problem.line ? _('第 %(line)s 行', { line: problem.line }) + ' · ' : '') +
        (problem.element_id ? problem.element_id + _('：') : '') + problem.message;
      if (element) {
        item.className = 'on-element';
        item.tabIndex = 0;
        item.title = _('在图中选中');
        item.addEventListener('click', function () {
          modeler.get('selection').select(element);
          canvas.scrollToElement(element);
        });
        (byElement[element.id] = byElement[element.id] || []).push(problem.message);
      } else {
        item.className = 'unplaced';
      }
      problemsEl.append(item);
    });
    Object.keys(byElement).forEach(function (id) {
      canvas.addMarker(id, 'cw-error');
      marked.push(id);
      var note = document.createElement('div');
      note.className = 'cw-problem-overlay';
      note.setAttribute('role', 'note');
      byElement[id].forEach(function (message) {
        var line = document.createElement('div');
        line.textContent = message;
        note.append(line);
      });
      modeler.get('overlays').add(id, 'cw-problem', { position: { top: -4, left: 0 }, html: note, scale: false });
    });
  }

  function refused(result) {
    var problems = result.data && result.data.error && result.data.error.details &&
      result.data.error.details.problems;
    if (problems && problems.length) {
      showProblems(problems);
      setStatus(_('发现 %(count)s 处问题，已在图中标出。', { count: problems.length }), 'error');
    } else {
      setStatus(errorMessage(result.data, _('请求失败（%(status)s）', { status: result.status })), 'error');
    }
  }

  /* --- toolbar -------------------------------------------------------------------------------- */

  function validate() {
    setStatus(_('正在校验…'));
    return currentXml().then(function (xml) {
      return postJson(config.urls.validate, { bpmn: xml });
    }).then(function (result) {
      if (result.status !== 200) { refused(result); return; }
      if (result.data.ok) {
        clearProblems();
        setStatus(_('校验通过，可以部署。'), 'ok');
      } else {
        showProblems(result.data.problems);
        setStatus(_('发现 %(count)s 处问题，已在图中标出。', { count: result.data.problems.length }), 'error');
      }
    });
  }

  /* Deploying checks the diagram first: a diagram with problems shows them and asks nothing; only
     a valid one asks for confirmation before it becomes the version new cases start on. */
  function deploy() {
    var xmlText;
    setStatus(_('正在校验…'));
    return currentXml().then(function (xml) {
      xmlText = xml;
      return postJson(config.urls.validate, { bpmn: xml });
    }).then(function (checked) {
      if (checked.status !== 200) { refused(checked); return null; }
      if (!checked.data.ok) {
        showProblems(checked.data.problems);
        setStatus(_('发现 %(count)s 处问题，已在图中标出，修正后再发布。', { count: checked.data.problems.length }),
          'error');
        return null;
      }
      clearProblems();
      if (!window.confirm(_('发布此流程图为新版本？新发起的案件将使用新版本，正在办理的案件继续使用原版本。'))) {
        setStatus(_('校验通过，尚未发布。'), 'ok');
        return null;
      }
      setStatus(_('正在部署…'));
      return postJson(config.urls.deploy, { bpmn: xmlText }).then(deployed);
    });
  }

  function deployed(result) {
    if (result.status === 201 || result.status === 200) {
      clearProblems();
      baseVersion = result.data.version;
      setDirty(false);
      document.getElementById('modeler-title').textContent =
        _('%(name)s（%(key)s 版本 %(version)s）', result.data);
      setStatus(result.status === 201
        ? _('已部署 %(key)s 版本 %(version)s。正在办理的案件继续使用原版本。', result.data)
        : _('内容与已部署的 %(key)s 版本 %(version)s 相同，未生成新版本。', result.data), 'ok');
    } else {
      refused(result);
    }
  }

  function saveDraft() {
    setStatus(_('正在保存草稿…'));
    return currentXml().then(function (xml) {
      return postJson(config.urls.saveDraft, { bpmn: xml, draft_id: draftId, base_version: baseVersion });
    }).then(function (result) {
      if (result.status !== 200) { refused(result); return; }
      draftId = result.data.id;
      setDirty(false);
      window.history.replaceState(null, '', result.data.url);
      setStatus(_('草稿已保存：%(name)s（未部署）。', result.data), 'ok');
    });
  }

  function download() {
    return currentXml().then(function (xml) {
      var process = (modeler.getDefinitions().rootElements || []).find(function (e) {
        return e.$instanceOf('bpmn:Process') && e.isExecutable;
      });
      var link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([xml], { type: 'application/xml' }));
      link.download = ((process && process.id) || 'diagram') + '.bpmn';
      document.body.append(link);
      link.click();
      link.remove();
    });
  }

  function importFile(event) {
    var file = event.target.files[0];
    event.target.value = '';
    if (!file) { return; }
    file.text().then(function (text) {
      if (/<!(DOCTYPE|ENTITY)/i.test(text)) {
        setStatus(_('已拒绝 %(file)s：不允许 DOCTYPE 或 ENTITY 声明。', { file: file.name }), 'error');
        return;
      }
      draftId = null;
      baseVersion = null;
      return open(text).then(function () {
        setDirty(true);
        setStatus(_('已导入 %(file)s。部署前请校验；服务器会按同样的规则再次检查。', { file: file.name }), 'ok');
      });
    });
  }

  function guarded(action) {
    return function () {
      action().catch(function (err) { setStatus(_('操作失败：%(error)s', { error: err.message }), 'error'); });
    };
  }

  document.getElementById('btn-validate').addEventListener('click', guarded(validate));
  document.getElementById('btn-deploy').addEventListener('click', guarded(deploy));
  document.getElementById('btn-draft').addEventListener('click', guarded(saveDraft));
  document.getElementById('btn-download').addEventListener('click', guarded(download));
  document.getElementById('import-file').addEventListener('change', importFile);

  if (config.sourceUrl) {
    fetch(config.sourceUrl, { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.text();
    }).then(open).catch(function (err) { setStatus(_('无法加载流程图：%(error)s', { error: err.message }), 'error'); });
  } else {
    open(NEW_DIAGRAM);
  }
}());
