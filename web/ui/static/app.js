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

// ---- the loan application form (applications_new.html) ----
// <select data-county-of="f-city">: the county select shows the chosen
// city's counties only (without this script it lists every county under
// its city's heading); choosing a county first sets its city.
// <input data-wan="OUTPUT-ID" [data-signed]>: an amount typed in 万元 is
// shown in yuan in the output, converted exactly on the digits (no
// floating point): 150.5 → 1,505,000.
(function () {
  "use strict";
  function grouped(digits) {
    var out = "";
    for (var i = 0; i < digits.length; i++) {
      if (i > 0 && (digits.length - i) % 3 === 0) { out += ","; }
      out += digits.charAt(i);
    }
    return out;
  }
  // wanToYuan returns the yuan figure of a 万元 text, "" for nothing typed,
  // null when it is not an amount.
  function wanToYuan(text, signed) {
    var s = String(text).replace(/[,，\s\u00a0\u3000]/g, "").replace(/[－−]/g, "-").replace(/[．。]/g, ".").replace(/(万元|万|元)$/, "");
    if (s === "") { return ""; }
    var neg = false;
    if (s.charAt(0) === "-") { neg = true; s = s.slice(1); } // negative where it cannot be is the server's message
    if (!/^(\d+(\.\d{0,4})?|\.\d{1,4})$/.test(s)) { return null; }
    var parts = s.split(".");
    var frac = (parts[1] || "");
    while (frac.length < 4) { frac += "0"; }
    var digits = ((parts[0] || "0") + frac).replace(/^0+(?=\d)/, "");
    return (neg && digits !== "0" ? "-" : "") + grouped(digits);
  }
  window.kedaiWanToYuan = wanToYuan; // for tests in the page
  function echo(input) {
    var out = document.getElementById(input.getAttribute("data-wan"));
    if (!out) { return; }
    var y = wanToYuan(input.value, input.hasAttribute("data-signed"));
    out.classList.toggle("bad", y === null);
    out.textContent = y === null ? (out.getAttribute("data-bad") || "") : (y === "" ? "" : "= " + y + " " + (out.getAttribute("data-unit") || ""));
  }
  function countyPicker(county) {
    var city = document.getElementById(county.getAttribute("data-county-of"));
    if (!city) { return; }
    var groups = Array.prototype.slice.call(county.querySelectorAll("optgroup"));
    function show() {
      var keep = county.value;
      groups.forEach(function (g) { if (g.parentNode) { county.removeChild(g); } });
      groups.forEach(function (g) {
        if (city.value === "" || g.getAttribute("data-city") === city.value) { county.appendChild(g); }
      });
      county.value = keep;
      if (county.value !== keep) { county.value = ""; }
    }
    city.addEventListener("change", show);
    county.addEventListener("change", function () {
      var opt = county.options[county.selectedIndex];
      var g = opt && opt.parentNode && opt.parentNode.getAttribute ? opt.parentNode.getAttribute("data-city") : null;
      if (g && city.value !== g) { city.value = g; show(); }
    });
    show();
  }
  function init() {
    document.querySelectorAll("input[data-wan]").forEach(function (i) {
      i.addEventListener("input", function () { echo(i); });
      echo(i);
    });
    document.querySelectorAll("select[data-county-of]").forEach(countyPicker);
    var errs = document.getElementById("form-errors");
    if (errs && document.getElementById("app-form")) { errs.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// ---- the users form (users.html) ----
// <form data-role-fields>: an element with data-for-roles="a b" shows only
// while the role select (name="role") holds one of those roles; hidden
// fields are cleared so that a bank or an expert chosen for another role
// is not sent. Without this script every field shows.
// <input data-filter-select="SELECT-ID">: typing narrows the select's
// options to those whose text holds every typed word.
(function () {
  "use strict";
  function roleFields(form) {
    var role = form.elements.role;
    if (!role) { return; }
    var parts = Array.prototype.slice.call(form.querySelectorAll("[data-for-roles]"));
    function show() {
      parts.forEach(function (p) {
        var on = (" " + p.getAttribute("data-for-roles") + " ").indexOf(" " + role.value + " ") >= 0;
        p.hidden = !on;
        p.querySelectorAll("select, input").forEach(function (i) { i.disabled = !on; });
      });
    }
    role.addEventListener("change", show);
    show();
  }
  function filterSelect(input) {
    var sel = document.getElementById(input.getAttribute("data-filter-select"));
    if (!sel) { return; }
    var all = Array.prototype.slice.call(sel.options);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(function (w) { return w !== ""; });
      if (sel.multiple) {
        all.forEach(function (o) {
          var text = o.text.toLowerCase();
          o.hidden = !o.selected && !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
        return;
      }
      var keep = sel.value;
      all.forEach(function (o) {
        var text = o.text.toLowerCase();
        var hit = o.value === "" || words.every(function (w) { return text.indexOf(w) >= 0; });
        o.hidden = !hit;
      });
      var first = all.filter(function (o) { return !o.hidden && o.value !== "" && !o.disabled; });
      if (words.length && first.length === 1) { sel.value = first[0].value; } else { sel.value = keep; }
    });
  }
  function init() {
    document.querySelectorAll("form[data-role-fields]").forEach(roleFields);
    document.querySelectorAll("input[data-filter-select]").forEach(filterSelect);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
