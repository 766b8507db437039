/* Map of the results: Leaflet + markercluster (vendored), data as compact JSON
   [[eg_id, lat, lon, nb_uo], …]; a click on a marker loads that place's units. */
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || typeof L === "undefined") { return; }
  var etat = document.getElementById("carte-etat");
  var centre = element.dataset.centre.split(",").map(Number);
  var carte = L.map(element, { maxZoom: Number(element.dataset.zoomMax) || 18, preferCanvas: true })
    .setView(centre, Number(element.dataset.zoom) || 8);

  function icone(nombre, classe) {
    var taille = nombre < 10 ? 30 : nombre < 100 ? 36 : 44;
    return L.divIcon({ html: "<span>" + nombre + "</span>", className: "ror-marqueur " + classe, iconSize: [taille, taille] });
  }

  var groupe = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var total = 0;
      cluster.getAllChildMarkers().forEach(function (m) { total += m.options.nbUo; });
      return icone(total, "ror-marqueur--groupe");
    }
  });

  function ouvrir(marqueur) {
    var url = element.dataset.lieu.replace("/0/", "/" + marqueur.options.egId + "/") + "?" + element.dataset.requete;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { marqueur.bindPopup(html, { maxWidth: 360 }).openPopup(); });
  }

  fetch(element.dataset.donnees, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (donnees) {
      var points = donnees.points || [];
      var marqueurs = points.map(function (p) {
        var m = L.marker([p[1], p[2]], { icon: icone(p[3], "ror-marqueur--lieu"), egId: p[0], nbUo: p[3],
                                         keyboard: true, title: p[3] + " unité(s)" });
        m.on("click", function () { ouvrir(m); });
        return m;
      });
      groupe.addLayers(marqueurs);
      carte.addLayer(groupe);
      if (donnees.centre) {
        L.circle(donnees.centre, { radius: donnees.rayon_km * 1000, fill: false, weight: 1 }).addTo(carte);
      }
      if (marqueurs.length) { carte.fitBounds(groupe.getBounds(), { padding: [20, 20], maxZoom: 13 }); }
      if (etat) { etat.textContent = points.length + " établissement(s) sur la carte. Cliquez sur un repère pour voir ses unités."; }
      element.dataset.pret = "oui";
    })
    .catch(function () { if (etat) { etat.textContent = "La carte n'a pas pu être chargée."; } });
})();
