// Share the phone's position with gridcare forms and the day's list. Never blocks:
// without permission or a fix, everything works as before.
(function () {
  "use strict";
  if (!("geolocation" in navigator)) return;
  var forms = document.querySelectorAll("form[data-position]");
  var list = document.querySelector("[data-walking-order]");
  if (!forms.length && !list) return;

  function fill(pos) {
    var c = pos.coords;
    forms.forEach(function (form) {
      var set = function (name, value) {
        var input = form.querySelector('input[name="' + name + '"]');
        if (input) input.value = value;
      };
      set("lat", c.latitude.toFixed(6));
      set("lon", c.longitude.toFixed(6));
      set("accuracy", Math.round(c.accuracy));
    });
    // Remembered for ten minutes, for the day's list only: opened again, it comes in
    // walking order at once instead of loading twice.
    document.cookie = "gridcare_here=" + c.latitude.toFixed(5) + "," + c.longitude.toFixed(5) +
      "; max-age=600; path=/visits/today; samesite=strict";
    if (list && !list.hasAttribute("data-has-start")) {
      var url = new URL(window.location.href);
      url.searchParams.set("lat", c.latitude.toFixed(5));
      url.searchParams.set("lon", c.longitude.toFixed(5));
      window.location.replace(url.toString());
    }
  }
  navigator.geolocation.getCurrentPosition(fill, function () {}, {
    enableHighAccuracy: true, timeout: 10000, maximumAge: 60000
  });
})();
