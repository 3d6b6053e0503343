// Proposes the browser's time zone on /account/timezone when the person has not saved one yet.
// Without JavaScript the page proposes a zone from the citizenship instead.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("select[data-propose='browser']");
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!select || !zone) { return; }
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) { select.value = zone; return; }
  }
});
