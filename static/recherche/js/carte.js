/* Map of the results: Leaflet + markercluster (vendored), data as compact JSON
   [[eg_id, lat, lon, nb_uo, name], …]; opening a marker (click, Enter or Space) loads that place's units. */
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || typeof L === "undefined") { return; }
  var etat = document.getElementById("carte-etat");
  var centre = element.dataset.centre.split(",").map(Number);
  var carte = L.map(element, { maxZoom: Number(element.dataset.zoomMax) || 18, preferCanvas: true })
    .setView(centre, Number(element.dataset.zoom) || 8);
  if (window.RorFondCarte) { window.RorFondCarte(carte); }

  function unites(n) { return n + (n > 1 ? " unités" : " unité"); }

  // The visible figure, and for screen readers a name ("EHPAD X, 4 unités"), not a bare number.
  function icone(nombre, classe, nom) {
    var taille = nombre < 10 ? 30 : nombre < 100 ? 36 : 44;
    var visible = document.createElement("span");
    visible.setAttribute("aria-hidden", "true");
    visible.textContent = nombre;
    var lu = document.createElement("span");
    lu.className = "fr-sr-only";
    lu.textContent = nom;
    return L.divIcon({ html: visible.outerHTML + lu.outerHTML, className: "ror-marqueur " + classe,
                       iconSize: [taille, taille] });
  }

  var groupe = L.markerClusterGroup({
    chunkedLoading: true,
    showCoverageOnHover: false,
    iconCreateFunction: function (cluster) {
      var total = 0, enfants = cluster.getAllChildMarkers();
      enfants.forEach(function (m) { total += m.options.nbUo; });
      return icone(total, "ror-marqueur--groupe",
                   "Groupe de " + enfants.length + " établissements, " + unites(total) + " : zoomer");
    }
  });

  function charger(marqueur) {
    if (marqueur.options.charge) { return; }
    marqueur.options.charge = true;
    var url = element.dataset.lieu.replace("/0/", "/" + marqueur.options.egId + "/") + "?" + element.dataset.requete;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        marqueur.setPopupContent(html);
        var lien = marqueur.getPopup().getElement() && marqueur.getPopup().getElement().querySelector(".ror-popup a");
        if (lien && marqueur.options.auClavier) { lien.focus(); }
      })
      .catch(function () { marqueur.options.charge = false; marqueur.setPopupContent("<p>Liste indisponible.</p>"); });
  }

  // Enter or Space on a marker or a group acts as a click (Leaflet alone knows Enter only on a
  // marker with a popup). Prevented here, the keypress that Leaflet would also handle never comes.
  var auClavier = null;
  element.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && e.target.closest && e.target.closest(".leaflet-popup")) {
      carte.closePopup();  // Leaflet listens for Escape only while the map itself has the focus
      return;
    }
    var cible = e.target.closest && e.target.closest(".leaflet-marker-icon");
    if (!cible || (e.key !== "Enter" && e.key !== " ")) { return; }
    e.preventDefault();
    auClavier = cible;
    cible.click();
  });

  // A group zooms in and disappears: focus goes to the first marker then shown, never to <body>.
  groupe.on("clusterclick", function () {
    if (!auClavier) { return; }
    auClavier = null;
    carte.once("zoomend", function () {
      window.setTimeout(function () {
        var suivant = element.querySelector(".leaflet-marker-icon");
        (suivant || element).focus();
      }, 400);
    });
  });

  fetch(element.dataset.donnees, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (donnees) {
      var points = donnees.points || [];
      var marqueurs = points.map(function (p) {
        var nom = (p[4] || "Établissement") + ", " + unites(p[3]);
        var m = L.marker([p[1], p[2]], { icon: icone(p[3], "ror-marqueur--lieu", nom), egId: p[0], nbUo: p[3],
                                         keyboard: true, title: nom });
        m.bindPopup("<p>Chargement des unités…</p>", { maxWidth: 360 });
        m.on("popupopen", function () {
          m.options.auClavier = auClavier === m.getElement();
          auClavier = null;
          charger(m);
          var lien = m.getPopup().getElement().querySelector(".ror-popup a");
          if (lien && m.options.auClavier) { lien.focus(); }
        });
        // Closed (Escape, its button): focus back on the marker when it was inside the popup.
        m.on("popupclose", function () {
          var actif = document.activeElement;
          if ((!actif || actif === document.body || !document.body.contains(actif) ||
               (m.getPopup().getElement() && m.getPopup().getElement().contains(actif))) && m.getElement()) {
            m.getElement().focus();
          }
        });
        return m;
      });
      groupe.addLayers(marqueurs);
      carte.addLayer(groupe);
      if (donnees.centre) {
        L.circle(donnees.centre, { radius: donnees.rayon_km * 1000, fill: false, weight: 1 }).addTo(carte);
      }
      if (marqueurs.length) { carte.fitBounds(groupe.getBounds(), { padding: [20, 20], maxZoom: 13 }); }
      if (etat) {
        etat.textContent = points.length + " établissement(s) sur la carte. Choisissez un repère (clic, ou Tab puis Entrée) pour voir ses unités.";
      }
      var nombre = document.getElementById("nombre-resultats-carte");
      if (nombre) {  // the heading keeps the count, as on the list
        var fort = document.createElement("strong");
        fort.textContent = points.length.toLocaleString("fr-FR");
        nombre.textContent = "";
        nombre.appendChild(fort);
        nombre.appendChild(document.createTextNode(" établissement" + (points.length > 1 ? "s" : "")));
      }
      element.dataset.pret = "oui";
    })
    .catch(function () { if (etat) { etat.textContent = "La carte n'a pas pu être chargée."; } });
})();
