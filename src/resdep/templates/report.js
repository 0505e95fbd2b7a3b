{#- The case report's only script: "open all / close all", opening quotes for printing,
    and the quote filters. Allowed by its hash in the page's content security policy. -#}
(function () {
  'use strict';
  document.querySelectorAll('button[data-details]').forEach(function (b) {
    b.addEventListener('click', function () {
      var open = b.getAttribute('data-details') === 'open';
      document.querySelectorAll('#evidence details, #diagnostics details, #philosophy details')
        .forEach(function (d) { d.open = open; });
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
  var informant = document.getElementById('filter-informant');
  var stage = document.getElementById('filter-stage');
  var count = document.getElementById('filter-count');
  function apply() {
    var who = informant ? informant.value : '*';
    var when = stage ? stage.value : '*';
    var shown = 0;
    document.querySelectorAll('#quote-list > li').forEach(function (li) {
      var ok = (who === '*' || li.getAttribute('data-informant') === who) &&
               (when === '*' || li.getAttribute('data-stage') === when);
      li.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = String(shown); }
  }
  [informant, stage].forEach(function (s) { if (s) { s.addEventListener('change', apply); } });
  apply();
  document.documentElement.setAttribute('data-report-ready', '1');
})();
