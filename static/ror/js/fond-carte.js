/* The background of every map (search, fiche, beds): the tile layer that {% tuiles_carte %}
   wrote in #ror-tuiles, with its attribution; none offline (markers on a blank background). */
(function () {
  "use strict";
  window.RorFondCarte = function (carte) {
    var source = document.getElementById("ror-tuiles");
    var tuiles = source ? JSON.parse(source.textContent) : [];
    if (carte.attributionControl) { carte.attributionControl.setPrefix(false); }
    tuiles.forEach(function (t) {
      L.tileLayer(t.url, { attribution: t.attribution || "", maxZoom: t.maxZoom || 18 }).addTo(carte);
    });
    return tuiles.length > 0;
  };
})();
