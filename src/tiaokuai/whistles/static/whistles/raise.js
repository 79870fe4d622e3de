// Raise form: pre-select the router's confident item. A static file: the Content-Security-Policy allows no
// inline script.
(function () {
  // Pre-select the whistle-list item of the router's confident top suggestion, unless the
  // person has already chosen one; a person always confirms or changes it.
  var itemMatters = JSON.parse(document.getElementById("item-matters").textContent);
  var select = document.getElementById("id_item");
  var note = document.getElementById("routing-preselected");
  select.addEventListener("change", function () { select.dataset.auto = "0"; note.classList.add("d-none"); });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "routing-suggestions") { return; }
    var box = document.getElementById("routing-suggestions");
    var top = box && box.querySelector("li[data-matter]");
    if (!top || top.dataset.confident !== "1") { return; }
    if (select.value && select.dataset.auto !== "1") { return; }
    var code = Object.keys(itemMatters).find(function (k) { return itemMatters[k] === top.dataset.matter; });
    if (!code) { return; }
    select.value = code; select.dataset.auto = "1"; note.classList.remove("d-none");
  });
})();

// "Use my location": the phone's position fills latitude and longitude (the person checks them; typing them in
// still works). Shown only where the browser offers geolocation (it needs HTTPS or localhost).
(function () {
  var box = document.getElementById("locate-box");
  var button = document.getElementById("locate-button");
  if (!box || !button || !navigator.geolocation) { return; }
  box.hidden = false;
  var status = document.getElementById("locate-status");
  button.addEventListener("click", function () {
    status.textContent = button.dataset.busy;
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      status.textContent = button.dataset.done;
      button.disabled = false;
    }, function () {
      status.textContent = button.dataset.failed;
      button.disabled = false;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
