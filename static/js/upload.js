/* Uploads with a progress bar. Without this script the forms post normally and work the same.
   The server stays the authority: the size check here only saves a long wait on a slow line. */
(function () {
  "use strict";

  function showError(form, message) {
    var error = form.querySelector(".error");
    var input = form.querySelector("input[type=file]");
    error.textContent = message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    form.closest(".doc-item").classList.add("has-error");
    input.focus();
  }

  function clearError(form) {
    var error = form.querySelector(".error");
    error.hidden = true;
    error.textContent = "";
    form.querySelector("input[type=file]").removeAttribute("aria-invalid");
  }

  function progressBar(form) {
    var slot = form.querySelector(".upload-progress");
    var bar = slot.querySelector("progress");
    if (!bar) {
      bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", form.dataset.msgProgress);
      var text = document.createElement("span");
      text.className = "upload-percent";
      slot.appendChild(bar);
      slot.appendChild(text);
    }
    return bar;
  }

  function setBusy(form, busy) {
    form.querySelector("button[type=submit]").disabled = busy;
    form.querySelector("input[type=file]").disabled = busy;
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function upload(form, event) {
    var input = form.querySelector("input[type=file]");
    var file = input.files && input.files[0];
    if (!file || !window.FormData || !window.XMLHttpRequest) {
      return; // let the browser post the form (the server explains what is missing)
    }
    event.preventDefault();
    clearError(form);
    if (file.size > Number(form.dataset.maxBytes)) {
      showError(form, form.dataset.msgTooLarge);
      return;
    }
    var data = new FormData(form);
    var xhr = new XMLHttpRequest();
    var bar = progressBar(form);
    var text = form.querySelector(".upload-percent");
    text.textContent = form.dataset.msgUploading;
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        text.textContent = percent + "%";
      }
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (ignore) { answer = null; }
      if (answer && answer.ok && answer.redirect) {
        var target = new URL(answer.redirect, window.location.href);
        if (target.pathname === window.location.pathname && target.search === window.location.search) {
          window.location.hash = target.hash; // same page: only the hash differs, so reload it
          window.location.reload();
        } else {
          window.location.assign(target.href);
        }
        return;
      }
      setBusy(form, false);
      form.querySelector(".upload-progress").textContent = ""; // drop the bar until the next try
      showError(form, (answer && answer.error) || form.dataset.msgFailed);
    });
    xhr.addEventListener("error", function () {
      setBusy(form, false);
      form.querySelector(".upload-progress").textContent = "";
      showError(form, form.dataset.msgFailed);
    });
    xhr.send(data);
    setBusy(form, true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form.upload-form");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) { upload(form, event); });
    });
  });
}());
