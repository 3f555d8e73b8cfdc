// Progressive enhancement only: every page works without this file.
// The resume upload shows its progress; the form still posts normally without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload-form");
  var bar = document.getElementById("upload-progress");
  if (!form || !bar || !window.XMLHttpRequest) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    request.addEventListener("load", function () {
      window.location.assign(request.responseURL || "/resume");
    });
    request.addEventListener("error", function () { form.submit(); });
    request.send(new FormData(form));
  });
});
