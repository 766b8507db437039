/* Map of a fiche: the marker shows even without any tile server (offline). */
(function () {
  "use strict";
  var el = document.getElementById("carte");
  if (!el || !window.L) { return; }
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  if (isNaN(lat) || isNaN(lon)) { return; }
  L.Icon.Default.imagePath = el.dataset.icones;
  var carte = L.map(el, { scrollWheelZoom: false, maxZoom: 18 }).setView([lat, lon], 14);
  var source = document.getElementById("ror-tuiles");
  var tuiles = source ? JSON.parse(source.textContent) : [];
  tuiles.forEach(function (t) {
    L.tileLayer(t.url, { attribution: t.attribution || "", maxZoom: 18 }).addTo(carte);
  });
  L.marker([lat, lon], { title: el.dataset.nom, alt: el.dataset.nom }).addTo(carte).bindPopup(el.dataset.nom);
  el.dataset.prete = "1";
})();
