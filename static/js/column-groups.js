// Column groups of the wide report tables (table.grouped): a reader hides the groups they
// do not need with the checkboxes of fieldset.column-groups. Each cell of a group carries
// the class g-<group>; hiding adds hide-<group> to every grouped table of the page. The
// choice is remembered in this browser. Without this script every column shows.
(function () {
  "use strict";
  var STORE = "gridcare.hiddenColumnGroups";
  var controls = document.querySelector("fieldset.column-groups");
  var tables = document.querySelectorAll("table.grouped");
  if (!controls || !tables.length) {
    return;
  }

  function remembered() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "[]");
    } catch (error) {
      return [];
    }
  }

  function remember(hidden) {
    try {
      window.localStorage.setItem(STORE, JSON.stringify(hidden));
    } catch (error) {
      // Private browsing may refuse storage: the choice then lasts for this page only.
    }
  }

  function apply() {
    var hidden = [];
    controls.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (!box.checked) {
        hidden.push(box.value);
      }
      tables.forEach(function (table) {
        table.classList.toggle("hide-" + box.value, !box.checked);
      });
    });
    remember(hidden);
  }

  var hidden = remembered();
  controls.querySelectorAll("input[type=checkbox]").forEach(function (box) {
    box.checked = hidden.indexOf(box.value) === -1;
    box.addEventListener("change", apply);
  });
  controls.hidden = false;
  apply();
})();
