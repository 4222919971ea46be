/* The admin scripts' texts: `_('已保存为版本 %(version)s', {version: 3})` gives the text in the page's
 * language. Chinese is the source and the default; the page puts the other language's texts in
 * #admin-text (web/views/admin_text.py), so each text is written once, in the script that shows it. */
(function () {
  'use strict';

  var node = document.getElementById('admin-text');
  var texts = node ? JSON.parse(node.textContent) : {};

  window.cwflowText = function (source, values) {
    var text = texts[source] || source;
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  };
}());
