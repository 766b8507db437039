/* Map of a fiche: the marker shows even without any tile server (offline). */
(function () {
  "use strict";
  var el = document.getElementById("carte");
  if (!el || !window.L) { return; }
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  if (isNaN(lat) || isNaN(lon)) { return; }
  L.Icon.Default.imagePath = el.dataset.icones;
  var carte = L.map(el, { scrollWheelZoom: false, maxZoom: 18 }).setView([lat, lon], 14);
  if (window.RorFondCarte) { window.RorFondCarte(carte); }
  // The name is text: Leaflet reads a string as HTML, so a name could draw links over the page.
  var bulle = document.createElement("p");
  bulle.textContent = el.dataset.nom;
  L.marker([lat, lon], { title: el.dataset.nom, alt: el.dataset.nom }).addTo(carte).bindPopup(bulle);
  el.dataset.prete = "1";
})();
