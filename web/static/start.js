// The start form warns, before it is submitted, when the chosen worker already has an open case
// this one cannot run beside (the server refuses it all the same). The warnings come with the page.
(function () {
  "use strict";
  var data = document.getElementById("worker-warnings");
  var picker = document.getElementById("f-worker_id");
  var note = document.getElementById("worker-warning");
  if (!data || !picker || !note) return;
  var warnings = JSON.parse(data.textContent || "{}");
  var field = picker.closest(".field");
  if (field && field.parentNode) field.parentNode.insertBefore(note, field.nextSibling);
  function show() {
    var text = warnings[picker.value] || "";
    note.textContent = text;
    note.hidden = !text;
    if (text) picker.setAttribute("aria-describedby", ((picker.getAttribute("aria-describedby") || "").replace(/\s*worker-warning/, "") + " worker-warning").trim());
  }
  picker.addEventListener("change", show);
  show();
})();
