/* Leaflet in French, for every map of the portal: loaded right after leaflet.js, before any map.
   Zoom buttons, attribution prefix and the popup's close button are English in Leaflet itself. */
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  L.Control.Zoom.prototype.options.zoomInTitle = "Zoom avant";
  L.Control.Zoom.prototype.options.zoomOutTitle = "Zoom arrière";
  L.Control.Attribution.prototype.options.prefix =
    '<a href="https://leafletjs.com" hreflang="en" title="Leaflet, bibliothèque JavaScript de cartes interactives">Leaflet</a>';
  L.Map.addInitHook(function () {
    this.on("popupopen", function (e) {
      var fermer = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (fermer) { fermer.setAttribute("aria-label", "Fermer la bulle"); fermer.title = "Fermer la bulle"; }
    });
  });
}());
