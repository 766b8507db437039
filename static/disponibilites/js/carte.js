// Map of available beds: one labelled marker per unit, grouped when close (markercluster, as on the
// search map: a group shows the total of its units' available beds), on the shared background.
(function () {
  "use strict";
  var element = document.getElementById("carte-lits");
  var donnees = document.getElementById("marqueurs-lits");
  if (!element || !donnees || typeof L === "undefined") { return; }
  var marqueurs = JSON.parse(donnees.textContent);
  var carte = L.map(element, { maxZoom: 18, minZoom: 3 }).setView(
    [parseFloat(element.getAttribute("data-centre-lat")), parseFloat(element.getAttribute("data-centre-lon"))], 8);
  if (window.RorFondCarte) { window.RorFondCarte(carte); }
  var groupe = L.markerClusterGroup ? L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: function (cluster) {
      var total = 0, unites = cluster.getAllChildMarkers();
      unites.forEach(function (m) { total += m.options.disponibles || 0; });
      var span = document.createElement("span");
      span.textContent = String(total);
      return L.divIcon({ className: "ror-marqueur ror-marqueur--groupe", html: span.outerHTML, iconSize: [44, 28] });
    }
  }) : carte;
  function titre(m) { return m.nom + " : " + (m.disponibles === null ? "?" : m.disponibles) + " lits disponibles"; }
  // The figure is seen; the marker's name (a role=button's name comes from its content) is heard.
  function texte(m) {
    var span = document.createElement("span");
    span.setAttribute("aria-hidden", "true");
    span.textContent = m.disponibles === null ? "?" : String(m.disponibles);
    var nom = document.createElement("span");
    nom.className = "fr-sr-only";
    nom.textContent = titre(m);
    return span.outerHTML + nom.outerHTML;
  }
  var points = [];
  marqueurs.forEach(function (m) {
    var icone = L.divIcon({ className: "ror-marqueur ror-marqueur--" + m.code, html: texte(m), iconSize: [40, 24] });
    var bulle = document.createElement("div");
    var nomUnite = document.createElement("strong");  // not "titre": that would hide titre(m) below
    nomUnite.textContent = m.nom;
    bulle.appendChild(nomUnite);
    bulle.appendChild(document.createElement("br"));
    bulle.appendChild(document.createTextNode(m.eg));
    bulle.appendChild(document.createElement("br"));
    bulle.appendChild(document.createTextNode(
      (m.disponibles === null ? "aucune donnée" : m.disponibles + " lits disponibles") +
      (m.installes === null ? "" : " / " + m.installes + " installés") + " — " + m.etat + " (" + m.age + ")"));
    L.marker([m.lat, m.lon], { icon: icone, title: titre(m), keyboard: true, disponibles: m.disponibles })
      .bindPopup(bulle).addTo(groupe);
    points.push([m.lat, m.lon]);
  });
  if (groupe !== carte) { carte.addLayer(groupe); }
  if (points.length) { carte.fitBounds(points, { padding: [30, 30], maxZoom: 12 }); }
  element.dataset.pret = "oui";
  // Space opens a marker's popup as Enter does (Leaflet knows Enter only).
  element.addEventListener("keydown", function (e) {
    var cible = e.target.closest && e.target.closest(".leaflet-marker-icon");
    if (cible && e.key === " ") { e.preventDefault(); cible.click(); }
  });
}());
