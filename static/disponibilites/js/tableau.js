// Regional board: fetch the board's body every few seconds and swap it in, without reloading.
(function () {
  "use strict";
  var conteneur = document.getElementById("tableau-contenu");
  if (!conteneur) { return; }
  var url = conteneur.getAttribute("data-url");
  var intervalle = Math.max(1, parseInt(conteneur.getAttribute("data-intervalle"), 10) || 30) * 1000;
  var heure = document.getElementById("heure-actualisation");
  var enCours = false;

  function actualiser() {
    if (enCours || document.hidden) { return; }
    enCours = true;
    fetch(url, { credentials: "same-origin", cache: "no-cache", headers: { "X-Requested-With": "fetch" } })
      .then(function (reponse) {
        if (!reponse.ok) { throw new Error("HTTP " + reponse.status); }
        return reponse.text();
      })
      .then(function (html) {
        conteneur.innerHTML = html;
        if (heure) { heure.textContent = new Date().toLocaleTimeString("fr-FR"); }
      })
      .catch(function () {
        if (heure) { heure.textContent = heure.textContent.replace(/ \(échec.*$/, "") + " (échec de la dernière actualisation)"; }
      })
      .then(function () { enCours = false; });
  }

  window.setInterval(actualiser, intervalle);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { actualiser(); } });
}());
