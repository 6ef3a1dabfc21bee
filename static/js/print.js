// Print buttons ([data-print]): a script file rather than an inline onclick, because the
// Content-Security-Policy allows scripts from the app's own files only.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
