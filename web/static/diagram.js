// The instance diagram: bpmn-js's viewer with the case's steps marked.
// Reads everything from data- attributes of #diagram (the page's CSP allows no inline script).
// The picture is drawn at a scale people can read and scrolls natively inside its frame (a finger
// on a phone, the wheel or the scroll bars elsewhere); 放大 / 缩小 / 适应窗口 change the scale. A screen
// wide enough starts with the whole diagram; otherwise it starts readable, scrolled to the current step.
(function () {
  "use strict";
  var holder = document.getElementById("diagram");
  if (!holder) { return; }

  function ids(name) {
    try { return JSON.parse(holder.getAttribute("data-" + name) || "[]"); } catch (e) { return []; }
  }
  function say(text) {
    var status = holder.querySelector(".diagram-status");
    if (status) { status.textContent = text; status.hidden = !text; }
  }

  if (typeof window.BpmnJS !== "function") {
    holder.classList.add("failed");
    say(holder.getAttribute("data-missing"));
    return;
  }

  var PAD = 24;          // room around the diagram, in diagram units
  var READABLE = 0.85;   // the smallest first scale at which a step's label reads on a phone
  var MIN = 0.2, MAX = 2.5, STEP = 1.25;
  var scroller = holder.querySelector(".canvas-scroll");
  var box = holder.querySelector(".canvas");
  var noop = function () {};
  // the frame scrolls natively, so the viewer's own wheel zoom and drag-to-move stay off
  var viewer = new window.BpmnJS({ container: box, additionalModules: [{
    zoomScroll: ["value", { zoom: noop, stepZoom: noop, reset: noop, toggle: noop, scroll: noop }],
    moveCanvas: ["value", { isActive: function () { return false; } }]
  }] });
  var canvas, inner, scale = 1;

  function frameHeight() {
    return parseFloat(window.getComputedStyle(scroller).maxHeight) || 420;
  }
  function widthFit() { return scroller.clientWidth / (inner.width + 2 * PAD); }
  function wholeFit() {
    return Math.min(widthFit(), (frameHeight() - 4) / (inner.height + 2 * PAD));
  }
  function clamp(value) { return Math.max(MIN, Math.min(MAX, value)); }

  // draw at `next`, keeping the diagram point at the frame's (fx, fy) where it was
  function apply(next, fx, fy) {
    var cx = fx === undefined ? 0 : (scroller.scrollLeft + fx) / scale;
    var cy = fy === undefined ? 0 : (scroller.scrollTop + fy) / scale;
    scale = clamp(next);
    var width = Math.max(scroller.clientWidth, Math.ceil((inner.width + 2 * PAD) * scale));
    var height = Math.ceil((inner.height + 2 * PAD) * scale);
    box.style.width = width + "px";
    box.style.height = height + "px";
    canvas.resized();
    canvas.viewbox({ x: inner.x - PAD, y: inner.y - PAD, width: width / scale, height: height / scale });
    if (fx !== undefined) {
      scroller.scrollLeft = cx * scale - fx;
      scroller.scrollTop = cy * scale - fy;
    }
    var view = canvas.viewbox();
    holder.setAttribute("data-scale", scale.toFixed(3));
    holder.setAttribute("data-viewbox", [view.x, view.y, view.width, view.height].map(function (n) {
      return Math.round(n);
    }).join(" "));
  }

  function zoom(how) {
    var fx = scroller.clientWidth / 2, fy = Math.min(scroller.clientHeight, frameHeight()) / 2;
    if (how === "in") { apply(scale * STEP, fx, fy); }
    else if (how === "out") { apply(scale / STEP, fx, fy); }
    else { apply(wholeFit()); scroller.scrollLeft = 0; scroller.scrollTop = 0; }
  }

  holder.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () { if (inner) { zoom(button.getAttribute("data-zoom")); } });
  });

  // on a narrow screen, bring the step the case waits at into the middle of the frame
  function showCurrent(registry, current) {
    var element = null;
    current.forEach(function (id) { element = element || registry.get(id); });
    if (!element || element.x === undefined) { return; }
    var x = (element.x + element.width / 2 - inner.x + PAD) * scale;
    var y = (element.y + element.height / 2 - inner.y + PAD) * scale;
    scroller.scrollLeft = Math.max(0, x - scroller.clientWidth / 2);
    scroller.scrollTop = Math.max(0, y - Math.min(scroller.clientHeight, frameHeight()) / 2);
  }

  fetch(holder.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      var done = new Set(ids("done"));
      var current = new Set(ids("current"));
      function mark(id, css) { if (registry.get(id)) { canvas.addMarker(id, css); } }
      done.forEach(function (id) { mark(id, "cw-done"); });
      ids("active").forEach(function (id) { mark(id, "cw-active"); });
      current.forEach(function (id) { mark(id, "cw-current"); });
      registry.filter(function (element) { return element.type === "bpmn:SequenceFlow"; })
        .forEach(function (flow) {
          var from = flow.source && flow.source.id;
          var to = flow.target && flow.target.id;
          if (done.has(from) && (done.has(to) || current.has(to))) { canvas.addMarker(flow.id, "cw-path"); }
        });
      canvas.zoom(1);
      inner = canvas.viewbox().inner;
      var fit = wholeFit();
      apply(fit >= READABLE ? Math.min(fit, 1) : Math.min(1, Math.max(READABLE, widthFit())));
      showCurrent(registry, current);
      holder.querySelector(".diagram-tools").hidden = false;
      holder.setAttribute("data-ready", "true");
      say("");
    })
    .catch(function () {
      holder.classList.add("failed");
      say(holder.getAttribute("data-failed"));
    });
}());
