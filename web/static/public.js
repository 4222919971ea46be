// The public application form on a phone: a field with data-extra-key="X" shows a digit keypad
// (inputmode numeric), so the page adds a key beside it for the one letter an ID number may end with.
// Without the script the field still accepts X typed on a full keyboard.
(function () {
  "use strict";
  document.querySelectorAll("input[data-extra-key]").forEach(function (input) {
    var letter = input.getAttribute("data-extra-key");
    var key = document.createElement("button");
    key.type = "button";
    key.className = "extra-key";
    key.textContent = letter;
    key.setAttribute("aria-label", "输入 " + letter);
    key.addEventListener("click", function () {
      var limit = Number(input.getAttribute("maxlength")) || Infinity;
      if (input.value.length < limit) { input.value += letter; }
      input.focus();
    });
    input.insertAdjacentElement("afterend", key);
  });
}());
