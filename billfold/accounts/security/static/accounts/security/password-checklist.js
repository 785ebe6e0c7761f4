/* Live password checklist. The page works without this file: the server
 * renders the same list and checks every rule when the form is sent. This
 * script only marks the rules a browser can check (length, letters, digits)
 * while the customer types. Counting follows the server: NFKC normalisation,
 * code points, Unicode letters and decimal digits. */
(function () {
  "use strict";
  var letter = /\p{L}/u;
  var digit = /\p{Nd}/u;

  function measure(password) {
    var chars = Array.from(password.normalize("NFKC"));
    return {
      length: chars.length,
      letters: chars.filter(function (c) { return letter.test(c); }).length,
      digits: chars.filter(function (c) { return digit.test(c); }).length
    };
  }

  var checks = {
    min_length: function (m, n) { return m.length >= n; },
    max_length: function (m, n) { return m.length <= n; },
    min_letters: function (m, n) { return m.letters >= n; },
    min_digits: function (m, n) { return m.digits >= n; }
  };

  function update(list, input) {
    var m = measure(input.value);
    list.querySelectorAll("li[data-rule]").forEach(function (item) {
      var check = checks[item.dataset.rule];
      if (!check) { return; }
      var met = check(m, parseInt(item.dataset.count, 10));
      var typed = input.value.length > 0;
      item.classList.toggle("met", typed && met);
      item.classList.toggle("unmet", typed && !met);
      var state = item.querySelector(".state");
      if (state) {
        state.textContent = typed ? (met ? list.dataset.stateMet : list.dataset.stateUnmet) : "";
      }
    });
  }

  document.querySelectorAll("[data-password-checklist]").forEach(function (list) {
    var input = document.getElementById(list.dataset.for);
    if (!input) { return; }
    input.addEventListener("input", function () { update(list, input); });
  });
})();
