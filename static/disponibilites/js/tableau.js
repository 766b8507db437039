// Regional board: fetch the board's body every few seconds and update the rows that changed, in place.
// Accessible (WCAG 2.2.2, 2.4.3): a button pauses the refresh; nothing refreshes while the focus is inside
// the table (a pending refresh waits for the focus to leave); nothing is announced at each refresh.
(function () {
  "use strict";
  var conteneur = document.getElementById("tableau-contenu");
  if (!conteneur) { return; }
  var url = conteneur.getAttribute("data-url");
  var secondes = Math.max(1, parseInt(conteneur.getAttribute("data-intervalle"), 10) || 30);
  var heure = document.getElementById("heure-actualisation");
  var mode = document.getElementById("mode-actualisation");
  var bouton = document.getElementById("suspendre-actualisation");
  var texteMode = mode ? mode.textContent : "";
  var enCours = false, suspendu = false, enAttente = false;

  function focusDedans() { return conteneur.contains(document.activeElement); }

  // The pieces that may change, in document order: when the new body has the same pieces (same
  // units, same départements), only those that differ are replaced; otherwise the whole body.
  var PIECES = "[data-tension], .ror-chiffre, section > h2, tbody tr";
  function cle(el) { return el.tagName + "#" + (el.id || ""); }

  function appliquer(html) {
    var modele = document.createElement("template");
    modele.innerHTML = html;
    var anciennes = conteneur.querySelectorAll(PIECES);
    var nouvelles = modele.content.querySelectorAll(PIECES);
    var memes = anciennes.length === nouvelles.length;
    for (var i = 0; memes && i < anciennes.length; i++) { memes = cle(anciennes[i]) === cle(nouvelles[i]); }
    if (!memes) { conteneur.replaceChildren(modele.content); return; }
    for (var j = 0; j < anciennes.length; j++) {
      if (anciennes[j].outerHTML !== nouvelles[j].outerHTML) { anciennes[j].replaceWith(nouvelles[j]); }
    }
  }

  function actualiser() {
    if (enCours || suspendu || document.hidden) { return; }
    if (focusDedans()) { enAttente = true; return; }
    enAttente = false;
    enCours = true;
    fetch(url, { credentials: "same-origin", cache: "no-cache", headers: { "X-Requested-With": "fetch" } })
      .then(function (reponse) {
        if (!reponse.ok) { throw new Error("HTTP " + reponse.status); }
        return reponse.text();
      })
      .then(function (html) {
        if (focusDedans() || suspendu) { enAttente = true; return; }  // the user got there meanwhile
        appliquer(html);
        if (heure) { heure.textContent = new Date().toLocaleTimeString("fr-FR"); }
      })
      .catch(function () {
        if (heure) { heure.textContent = heure.textContent.replace(/ \(échec.*$/, "") + " (échec de la dernière actualisation)"; }
      })
      .then(function () { enCours = false; });
  }

  if (bouton) {
    bouton.hidden = false;
    bouton.addEventListener("click", function () {
      suspendu = !suspendu;
      bouton.textContent = suspendu ? "Reprendre l'actualisation" : "Suspendre l'actualisation";
      bouton.classList.toggle("fr-icon-pause-circle-line", !suspendu);
      bouton.classList.toggle("fr-icon-play-circle-line", suspendu);
      if (mode) { mode.textContent = suspendu ? "Actualisation automatique suspendue" : texteMode; }
      if (!suspendu) { actualiser(); }
    });
  }
  conteneur.addEventListener("focusout", function () {
    window.setTimeout(function () { if (enAttente && !focusDedans()) { actualiser(); } }, 0);
  });
  window.setInterval(actualiser, secondes * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { actualiser(); } });
}());
