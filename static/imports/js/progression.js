// Polls the progress of a FINESS import and shows the report when it is done.
(function () {
  "use strict";
  var bloc = document.getElementById("progression");
  if (!bloc) { return; }
  var barre = document.getElementById("barre-progression");
  var etape = document.getElementById("etape-progression");

  function interroger() {
    fetch(bloc.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (reponse) { return reponse.json(); })
      .then(function (etat) {
        barre.value = etat.progression;
        barre.textContent = etat.progression + " %";
        etape.textContent = etat.etape + " (" + etat.progression + " %)";
        if (etat.fini) {
          window.location.assign(etat.url);
        } else {
          window.setTimeout(interroger, 500);
        }
      })
      .catch(function () { window.setTimeout(interroger, 3000); });
  }
  interroger();
})();
