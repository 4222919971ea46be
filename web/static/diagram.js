// The instance diagram: bpmn-js's navigated viewer with the case's steps marked.
// Reads everything from data- attributes of #diagram (the page's CSP allows no inline script).
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

  var viewer = new window.BpmnJS({ container: holder.querySelector(".canvas") });
  fetch(holder.getAttribute("data-bpmn-url"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get("canvas");
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
      canvas.zoom("fit-viewport", "auto");
      holder.setAttribute("data-ready", "true");
      say("");
    })
    .catch(function () {
      holder.classList.add("failed");
      say(holder.getAttribute("data-failed"));
    });
}());
