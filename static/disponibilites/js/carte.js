// Map of available beds: one labelled marker per unit, on a blank background when no tiles are configured.
(function () {
  "use strict";
  var element = document.getElementById("carte-lits");
  var donnees = document.getElementById("marqueurs-lits");
  if (!element || !donnees || typeof L === "undefined") { return; }
  var marqueurs = JSON.parse(donnees.textContent);
  var carte = L.map(element, { maxZoom: 18, minZoom: 3 }).setView(
    [parseFloat(element.getAttribute("data-centre-lat")), parseFloat(element.getAttribute("data-centre-lon"))], 8);
  function texte(m) {
    var span = document.createElement("span");
    span.textContent = m.disponibles === null ? "?" : String(m.disponibles);
    return span.outerHTML;
  }
  var points = [];
  marqueurs.forEach(function (m) {
    var icone = L.divIcon({ className: "ror-marqueur ror-marqueur--" + m.code, html: texte(m), iconSize: [40, 24] });
    var bulle = document.createElement("div");
    var titre = document.createElement("strong");
    titre.textContent = m.nom;
    bulle.appendChild(titre);
    bulle.appendChild(document.createElement("br"));
    bulle.appendChild(document.createTextNode(m.eg));
    bulle.appendChild(document.createElement("br"));
    bulle.appendChild(document.createTextNode(
      (m.disponibles === null ? "aucune donnée" : m.disponibles + " lits disponibles") +
      (m.installes === null ? "" : " / " + m.installes + " installés") + " — " + m.etat + " (" + m.age + ")"));
    L.marker([m.lat, m.lon], { icon: icone, title: m.nom + " : " + (m.disponibles === null ? "?" : m.disponibles) + " lits disponibles", keyboard: true })
      .bindPopup(bulle).addTo(carte);
    points.push([m.lat, m.lon]);
  });
  if (points.length) { carte.fitBounds(points, { padding: [30, 30], maxZoom: 12 }); }
}());
