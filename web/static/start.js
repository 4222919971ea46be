// The start form warns, before it is submitted, when the chosen worker already has an open case
// this one cannot run beside, and (a secondment) when the worker's community has no place left over
// the chosen period (the server refuses both all the same). The data comes with the page.
(function () {
  "use strict";
  var picker = document.getElementById("f-worker_id");

  function place(note, anchor) {
    var field = anchor && anchor.closest(".field");
    if (field && field.parentNode) field.parentNode.insertBefore(note, field.nextSibling);
  }

  function describe(input, id, on) {
    if (!input) return;
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (on) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  function workerWarnings() {
    var data = document.getElementById("worker-warnings");
    var note = document.getElementById("worker-warning");
    if (!data || !picker || !note) return;
    var warnings = JSON.parse(data.textContent || "{}");
    place(note, picker);
    function show() {
      var text = warnings[picker.value] || "";
      note.textContent = text;
      note.hidden = !text;
      describe(picker, "worker-warning", !!text);
    }
    picker.addEventListener("change", show);
    show();
  }

  // The most periods running on any one day of [start, end] (ISO dates compare as strings).
  function peak(periods, start, end) {
    var days = [start];
    periods.forEach(function (p) { if (p.start >= start && p.start <= end) days.push(p.start); });
    var most = 0;
    days.forEach(function (day) {
      var n = periods.filter(function (p) { return p.start <= day && day <= p.end; }).length;
      if (n > most) most = n;
    });
    return most;
  }

  function quotaWarning() {
    var data = document.getElementById("quota-data");
    var note = document.getElementById("quota-warning");
    var startInput = document.getElementById("f-start_date");
    var endInput = document.getElementById("f-end_date");
    if (!data || !note || !picker || !startInput || !endInput) return;
    var quota = JSON.parse(data.textContent || "{}");
    place(note, endInput);
    var iso = /^\d{4}-\d{2}-\d{2}$/;
    function text() {
      var community = quota.workers[picker.value];
      var start = startInput.value, end = endInput.value;
      if (!community || !iso.test(start) || !iso.test(end) || end < start) return "";
      var worker = Number(picker.value);
      var overlapping = (quota.communities[community] || []).filter(function (e) {
        return e.worker_id !== worker && e.start <= end && e.end >= start;
      });
      var held = overlapping.filter(function (e) { return e.holds; });
      var busiest = held.length ? peak(held, start, end) : 0;
      var names = function (list) { return list.map(function (e) { return e.text; }).join("、"); };
      if (busiest >= quota.limit) return quota.full.replace("{cases}", names(held));
      var waiting = overlapping.filter(function (e) { return !e.holds; });
      if (waiting.length && peak(overlapping, start, end) >= quota.limit) {
        return quota.pending.replace("{held}", String(busiest)).replace("{cases}", names(waiting));
      }
      return "";
    }
    function show() {
      var message = text();
      note.textContent = message;
      note.hidden = !message;
      [startInput, endInput].forEach(function (input) { describe(input, "quota-warning", !!message); });
    }
    [picker, startInput, endInput].forEach(function (input) {
      input.addEventListener("change", show);
      input.addEventListener("input", show);
    });
    show();
  }

  workerWarnings();
  quotaWarning();
})();
