// Keeps what a person typed into a task's form (the opinion, the other fields) in this browser,
// keyed by the task, so that nothing is lost when the session expires before they submit: the
// login page brings them back to the task and the form is filled again. A submit that succeeded
// (the next page says so) throws the draft away; a refused one keeps it. The texts come from the
// form's data-* attributes, in the page's language.
(function () {
  "use strict";
  var PENDING = "cwflow-draft-pending";
  var local, session;
  try {
    local = window.localStorage;
    session = window.sessionStorage;
  } catch (err) {
    return;  // storage switched off: the page works as before
  }
  function key(taskId) { return "cwflow-task-draft:" + taskId; }

  var form = document.querySelector("form.task-submit[data-task-id]");
  var pending = session.getItem(PENDING);
  if (pending) {
    if (document.querySelector(".flash.success")) {
      local.removeItem(key(pending));
      session.removeItem(PENDING);
    } else if (!document.querySelector("form.login")) {
      session.removeItem(PENDING);  // back on the form or elsewhere: the draft stays until a success
    }
  }
  var closed = document.querySelector("[data-task-closed]");
  if (closed) { local.removeItem(key(closed.getAttribute("data-task-closed"))); }  // done, here or elsewhere
  if (!form) { return; }
  var taskId = form.getAttribute("data-task-id");

  function kept(field) {
    var type = (field.type || "").toLowerCase();
    return field.name && field.name !== "csrf_token" && field.name !== "cite" && !field.disabled &&
      ["hidden", "file", "submit", "button", "reset", "password"].indexOf(type) < 0;
  }

  function fieldKey(field) {
    var type = (field.type || "").toLowerCase();
    return type === "checkbox" || type === "radio" ? field.name + "=" + field.value : field.name;
  }

  function save() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) { return; }
      var type = (field.type || "").toLowerCase();
      fields[fieldKey(field)] = type === "checkbox" || type === "radio" ? field.checked : field.value;
    });
    local.setItem(key(taskId), JSON.stringify({ saved_at: new Date().toISOString(), fields: fields }));
  }

  function restore() {
    var draft;
    try { draft = JSON.parse(local.getItem(key(taskId)) || "null"); } catch (err) { draft = null; }
    if (!draft || !draft.fields) { return; }
    var changed = false;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field) || !(fieldKey(field) in draft.fields)) { return; }
      var value = draft.fields[fieldKey(field)];
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        if (field.checked === value) { return; }
        field.checked = value;
      } else {
        if (field.value === value) { return; }
        field.value = value;
      }
      changed = true;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
    if (changed) { announce(draft.saved_at); }
  }

  function announce(savedAt) {
    var note = document.createElement("p");
    note.className = "flash info draft-restored";
    note.id = "draft-restored";
    note.setAttribute("role", "status");
    var at = new Date(savedAt);
    var time = isNaN(at) ? "" : at.toLocaleString(document.documentElement.lang || "zh-CN",
      { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
    note.textContent = (form.getAttribute("data-draft-restored") || "").replace("{time}", time) + " ";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link";
    discard.textContent = form.getAttribute("data-draft-discard") || "";
    discard.addEventListener("click", function () {
      local.removeItem(key(taskId));
      window.location.reload();
    });
    note.append(discard);
    form.prepend(note);
  }

  restore();
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
    save();
    session.setItem(PENDING, taskId);
  });
}());
