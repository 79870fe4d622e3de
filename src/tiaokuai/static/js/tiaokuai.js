// Disable submit buttons while a form is saving, so a double click cannot send it twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset.submitting === "1") { event.preventDefault(); return; }
  form.dataset.submitting = "1";
  form.querySelectorAll('button[type="submit"], input[type="submit"]').forEach(function (b) {
    b.disabled = true; b.setAttribute("aria-busy", "true");
  });
}, true);
