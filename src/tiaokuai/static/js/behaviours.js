// Small page behaviours declared with data attributes, so that no template needs an inline script or an
// on…= handler (the Content-Security-Policy allows scripts from /static/ only).
(function () {
  "use strict";

  // <form data-confirm="…">: ask before sending. Listens on window in the capture phase, so a "no" stops the
  // submit before any other handler (e.g. the one that disables the buttons while saving) sees it.
  window.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.dataset ? form.dataset.confirm : "";
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // <select data-scope-switch> in a form with a "scope" field: a chosen township means scope=township.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-scope-switch]") && el.form && el.form.scope) {
      el.form.scope.value = el.value ? "township" : "county";
    }
  });
})();
