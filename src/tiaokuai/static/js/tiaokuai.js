// tiaokuai's own page behaviour (no inline scripts: the pages allow only scripts from /static/).
(function () {
  "use strict";

  // Disable submit buttons while a form is saving, so a double click cannot send it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (b) {
      b.disabled = true; b.setAttribute("aria-busy", "true");
    });
  }, true);

  // <select data-autosubmit>: choosing sends the form (the language box).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });

  // Tables become cards on a phone: each cell carries its column's title (shown by tiaokuai.css).
  // A table with class "table-keep" stays a table (it scrolls inside its card instead).
  function labelTables(root) {
    (root || document).querySelectorAll("table.table").forEach(function (table) {
      if (table.classList.contains("table-keep")) { return; }
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.dataset.label || th.textContent.trim();  // a sortable header: its label, not the arrow
      });
      if (!heads.length) { return; }
      table.classList.add("table-cards");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var col = 0;
        Array.prototype.forEach.call(tr.children, function (td) {
          var span = td.colSpan || 1;
          if (span === 1 && heads[col] && !td.hasAttribute("data-label")) { td.setAttribute("data-label", heads[col]); }
          col += span;
        });
      });
    });
  }

  // The browser's own validity messages in the page's language (texts in #validity-messages with [max]-style blanks, from the
  // translation catalogue), instead of the browser's English "Please fill out this field.".
  var texts = null;
  function text(name, values) {
    if (texts === null) {
      var el = document.getElementById("validity-messages");
      texts = el ? el.dataset : {};
    }
    var out = texts[name] || "";
    Object.keys(values || {}).forEach(function (k) { out = out.split("[" + k + "]").join(values[k]); });
    return out;
  }
  function validityMessage(field) {
    var v = field.validity;
    if (v.valueMissing) {
      if (field.type === "file") { return text("fileMissing"); }
      if (field.tagName === "SELECT" || field.type === "radio") { return text("choiceMissing"); }
      if (field.type === "checkbox") { return text("checkMissing"); }
      return text("valueMissing");
    }
    if (v.badInput) { return field.type === "number" ? text("badNumber") : text("badInput"); }
    if (v.typeMismatch) { return field.type === "email" ? text("badEmail") : field.type === "url" ? text("badUrl") : text("badInput"); }
    if (v.tooLong) { return text("tooLong", {max: field.maxLength, n: field.value.length}); }
    if (v.tooShort) { return text("tooShort", {min: field.minLength, n: field.value.length}); }
    if (v.rangeUnderflow) { return text("rangeUnderflow", {min: field.min}); }
    if (v.rangeOverflow) { return text("rangeOverflow", {max: field.max}); }
    if (v.stepMismatch) { return text("stepMismatch"); }
    if (v.patternMismatch) { return field.title || text("patternMismatch"); }
    return "";
  }
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    if (!field.setCustomValidity || field.dataset.customValidity === "1") { return; }
    field.setCustomValidity("");
    if (!field.validity.valid) {
      var message = validityMessage(field);
      if (message) { field.setCustomValidity(message); field.dataset.customValidity = "1"; }
    }
  }, true);
  function clearValidity(event) {
    var field = event.target;
    if (field.dataset && field.dataset.customValidity === "1") {
      field.setCustomValidity(""); delete field.dataset.customValidity;
    }
  }
  document.addEventListener("input", clearValidity, true);
  document.addEventListener("change", clearValidity, true);

  // File inputs in the page's language: a button "选择文件" and the chosen names, instead of the browser's own
  // "Choose File / No file chosen" (the native input stays, focusable, under the button). Photo fields
  // (core.forms.PhotoInput, .photo-file) have their own camera and album buttons (photos.js).
  var fileSeq = 0;
  function dressFileInputs(root) {
    (root || document).querySelectorAll('input[type="file"]:not([data-dressed]):not(.photo-file)').forEach(function (input) {
      input.setAttribute("data-dressed", "1");
      if (!input.id) { fileSeq += 1; input.id = "file-input-" + fileSeq; }
      var photos = (input.getAttribute("accept") || "").indexOf("image") === 0;
      var button = document.createElement("label");
      button.className = "btn btn-outline-secondary file-button";
      button.htmlFor = input.id;
      button.textContent = text(photos ? "fileChoosePhotos" : "fileChoose");
      var names = document.createElement("span");
      names.className = "file-names small text-secondary";
      names.setAttribute("aria-live", "polite");
      names.textContent = text("fileNone");
      var box = document.createElement("div");
      box.className = "file-box d-flex flex-wrap align-items-center gap-2";
      input.classList.add("file-native");
      input.parentNode.insertBefore(box, input);
      box.appendChild(input); box.appendChild(button); box.appendChild(names);
      input.addEventListener("change", function () {
        var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
        names.textContent = !files.length ? text("fileNone")
          : files.length === 1 ? files[0] : text("fileCount", {n: files.length}) + "：" + files.join("、");
      });
    });
  }

  function ready() { labelTables(document); dressFileInputs(document); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
  document.addEventListener("htmx:afterSwap", function (event) {
    labelTables(event.detail && event.detail.target); dressFileInputs(event.detail && event.detail.target);
  });
  window.tiaokuai = {labelTables: labelTables, validityMessage: validityMessage};
})();
