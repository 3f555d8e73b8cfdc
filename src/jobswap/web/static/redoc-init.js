// ReDoc for this service's OpenAPI document, from the vendored standalone bundle.
window.addEventListener("load", function () {
  var holder = document.getElementById("redoc");
  Redoc.init(holder.getAttribute("data-spec-url"), { disableSearch: false }, holder);
});
