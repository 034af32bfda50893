// Behaviour of the pages, kept out of the HTML: the Content-Security-Policy
// allows scripts from this server's files only (script-src 'self'), never
// inline scripts or on* attributes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // <button data-print>: print the page.
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // <form data-action-prefix="/rubrics/" data-action-field="route">: the
  // form goes to the prefix plus the chosen field's value.
  document.querySelectorAll("form[data-action-prefix]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var field = f.elements[f.getAttribute("data-action-field")];
      f.action = f.getAttribute("data-action-prefix") + encodeURIComponent(field ? field.value : "");
    });
  });
});
