/* The search page on a phone: the results come first (CSS order) and the filters are folded,
   unless one of them has an error to show. */
(function () {
  "use strict";
  var filtres = document.getElementById("filtres");
  if (!filtres || filtres.dataset.garderOuvert === "oui") { return; }
  if (window.matchMedia && !window.matchMedia("(min-width: 48em)").matches) { filtres.open = false; }
})();
