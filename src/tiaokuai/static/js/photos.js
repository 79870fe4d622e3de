// Camera-first photo fields (core.forms.PhotoInput): every camera shot and album choice is gathered into the album
// input (DataTransfer), thumbnails show what will be sent, and each can be removed. Without this script both inputs
// still send their files (they share the field's name).
(function () {
  "use strict";

  function setup(box) {
    var camera = box.querySelector("[data-photo-camera]");
    var album = box.querySelector("[data-photo-album]");
    var previews = box.querySelector("[data-photo-previews]");
    var status = box.querySelector("[data-photo-status]");
    var kept = [];
    if (!camera || !album || typeof DataTransfer === "undefined") return;

    function write() {
      var dt = new DataTransfer();
      kept.forEach(function (f) { dt.items.add(f); });
      album.files = dt.files;
      camera.value = "";
      render();
    }

    function render() {
      previews.textContent = "";
      kept.forEach(function (file, i) {
        var fig = document.createElement("figure");
        fig.className = "photo-preview m-0";
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = (box.dataset.photoLabel || "") + " " + (i + 1) + "：" + file.name;
        img.onload = function () { URL.revokeObjectURL(img.src); };
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-sm btn-outline-danger photo-remove";
        remove.textContent = box.dataset.remove || "×";
        remove.setAttribute("aria-label", (box.dataset.remove || "") + " " + (box.dataset.photoLabel || "") + " " + (i + 1));
        remove.addEventListener("click", function () { kept.splice(i, 1); write(); });
        fig.appendChild(img);
        fig.appendChild(remove);
        previews.appendChild(fig);
      });
      previews.dataset.count = String(kept.length);
      if (status) {
        status.textContent = kept.length ? (box.dataset.count || "{n}").replace("{n}", String(kept.length))
          : (box.dataset.none || "");
      }
    }

    function add(input) {
      Array.prototype.forEach.call(input.files || [], function (f) {
        if (!f.type || f.type.indexOf("image/") === 0) kept.push(f);
      });
      write();
    }

    camera.addEventListener("change", function () { add(camera); });
    album.addEventListener("change", function () {
      add(album);  // the album input now holds only the new choice: added to what was kept before
    });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-photo-input]").forEach(function (box) {
      if (box.dataset.photoReady) return;
      box.dataset.photoReady = "1";
      setup(box);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(); });
  else init();
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
