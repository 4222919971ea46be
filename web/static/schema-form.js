// Repeatable groups of the JSON Schema forms (arrays of objects, shown as rows): rows are added and
// removed in place, and every row's inputs are renumbered (posts.0.community, posts.1.community, …)
// so the server reads them in order. Without this script the page still works: the server offers
// one empty row more after each submit. The texts come from the page (data-* attributes) in its language.
// A field with data-show-when is shown only while the field it names holds one of data-show-values;
// while hidden its inputs are disabled, so nothing of it is sent (the server drops it the same way).
(function () {
  "use strict";

  function fill(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  function escaped(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function rowsOf(group) {
    var holder = group.querySelector(":scope > .rows");
    return Array.prototype.filter.call(holder.children, function (node) { return node.classList.contains("row"); });
  }

  function say(group, text) {
    var status = group.querySelector(":scope > .repeat-actions > .repeat-status");
    status.textContent = text;
  }

  function renumber(group) {
    var name = group.dataset.repeat;
    var idBase = "f-" + name.replace(/\./g, "-");
    var namePattern = new RegExp("^" + escaped(name) + "\\.(\\d+|#)(?=\\.|$)");
    var idPattern = new RegExp("(^|\\s)" + escaped(idBase) + "-(\\d+|#)(?=-|\\s|$)", "g");
    rowsOf(group).forEach(function (row, index) {
      row.setAttribute("aria-label", group.dataset.label + " " + (index + 1));
      row.querySelector(":scope > .row-no").textContent = String(index + 1);
      var remove = row.querySelector(":scope > [data-repeat-remove]");
      remove.setAttribute("aria-label", fill(group.dataset.removeText, { number: index + 1 }));
      row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
        var field = node.getAttribute("name");
        if (field) { node.setAttribute("name", field.replace(namePattern, name + "." + index)); }
        ["id", "for", "aria-describedby"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value) { node.setAttribute(attr, value.replace(idPattern, "$1" + idBase + "-" + index)); }
        });
      });
    });
  }

  function addRow(group) {
    var rows = rowsOf(group);
    var status = group.querySelector(":scope > .repeat-actions > .repeat-status");
    if (group.dataset.max && rows.length >= Number(group.dataset.max)) {
      say(group, status.dataset.maxText);
      return;
    }
    var template = group.querySelector(":scope > template.row-template");
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelector(":scope > [data-repeat-remove]").hidden = false;
    group.querySelector(":scope > .rows").append(row);
    renumber(group);
    say(group, fill(status.dataset.addedText, { number: rows.length + 1 }));
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  function removeRow(group, row) {
    var rows = rowsOf(group);
    var status = group.querySelector(":scope > .repeat-actions > .repeat-status");
    if (rows.length <= Number(group.dataset.min || 0)) {
      say(group, status.dataset.minText);
      return;
    }
    var index = rows.indexOf(row);
    row.remove();
    renumber(group);
    var left = rowsOf(group);
    say(group, fill(status.dataset.removedText, { count: left.length }));
    var next = left[Math.min(index, left.length - 1)];
    (next ? next.querySelector(":scope > [data-repeat-remove]") : group.querySelector("[data-repeat-add]")).focus();
  }

  function chosen(scope, name) {
    var values = [];
    var holder = null;
    scope.querySelectorAll("[name]").forEach(function (input) {
      if (input.getAttribute("name") !== name) { return; }
      holder = holder || input.closest("[data-show-when]");
      if (input.type === "checkbox" && input.value === "true" && !input.closest(".choices")) {
        values.push(input.checked ? "true" : "false");  // a yes/no box: unticked is a real "false"
      } else if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) { values.push(input.value); }
      } else if (input.value !== "") {
        values.push(input.value);
      }
    });
    return holder && holder.hidden ? [] : values;  // a hidden field holds nothing
  }

  function applyConditions(scope) {
    scope.querySelectorAll("[data-show-when]").forEach(function (field) {
      var wanted = JSON.parse(field.dataset.showValues || "[]");
      var show = chosen(scope, field.dataset.showWhen).some(function (v) { return wanted.indexOf(v) >= 0; });
      if (field.hidden === !show) { return; }
      field.hidden = !show;
      field.querySelectorAll("input, select, textarea, button").forEach(function (input) {
        if (!show && !input.disabled) {
          input.disabled = true;
          input.dataset.hiddenByCondition = "1";
        } else if (show && input.dataset.hiddenByCondition) {
          input.disabled = false;
          delete input.dataset.hiddenByCondition;
        }
      });
    });
  }

  function conditionScopes(root) {
    var scopes = Array.prototype.slice.call(root.querySelectorAll(".schema-form"));
    if (root.classList && root.classList.contains("schema-form")) { scopes.push(root); }
    return scopes;
  }

  function enhance(root) {
    conditionScopes(root).forEach(function (scope) {
      applyConditions(scope);
      applyConditions(scope);  // a second pass settles a field whose condition names a field hidden just now
    });
    root.querySelectorAll("[data-repeat]").forEach(function (group) {
      if (group.dataset.repeatReady) { return; }
      group.dataset.repeatReady = "1";
      group.querySelector(":scope > .repeat-actions").hidden = false;
      rowsOf(group).forEach(function (row) { row.querySelector(":scope > [data-repeat-remove]").hidden = false; });
      var help = group.querySelector(":scope > p.help[data-js-text]");
      if (help) { help.textContent = help.dataset.jsText; }
    });
  }

  ["change", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var scope = event.target.closest && event.target.closest(".schema-form");
      if (scope && scope.querySelector("[data-show-when]")) {
        applyConditions(scope);
        applyConditions(scope);
      }
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-repeat-add], [data-repeat-remove]");
    if (!button) { return; }
    var group = button.closest("[data-repeat]");
    if (!group || !group.dataset.repeatReady) { return; }
    if (button.hasAttribute("data-repeat-add")) {
      addRow(group);
    } else {
      removeRow(group, button.closest(".row"));
    }
  });

  window.cwflowSchemaForm = { enhance: enhance };
  enhance(document);
}());
