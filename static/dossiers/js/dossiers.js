/* Dossiers collaboratifs: type d'UO filtered by discipline, and a warning before
   leaving a fiche with unsaved changes. No inline script (CSP). */
(function () {
  "use strict";

  function filtrerTypes(selectType) {
    var discipline = document.getElementById(selectType.dataset.filtreDiscipline);
    if (!discipline) { return; }
    function appliquer(auChargement) {
      var choisie = discipline.value;
      Array.prototype.forEach.call(selectType.options, function (option) {
        if (!option.dataset.disciplines) { return; }
        // At load, the fiche's current type stays visible even if it belongs to another discipline.
        var garde = !choisie || option.dataset.disciplines.split(" ").indexOf(choisie) !== -1 ||
          (auChargement === true && option.selected);
        option.hidden = !garde;
        option.disabled = !garde;
        if (!garde && option.selected) { selectType.value = ""; }
      });
    }
    discipline.addEventListener("change", appliquer);
    appliquer(true);
  }

  // The guide's words when a link of the page would leave the fiche unsaved; the browser's own
  // question for anything else (closing the tab, typing an address).
  var QUITTER = "Quitter une fiche sans l'enregistrer entraîne la perte de ses données. Quitter quand même ?";
  function garderModifications(form) {
    var modifie = false;
    form.addEventListener("input", function () { modifie = true; });
    form.addEventListener("change", function () { modifie = true; });
    form.addEventListener("submit", function () { modifie = false; });
    document.addEventListener("click", function (evenement) {
      var lien = evenement.target.closest && evenement.target.closest("a[href]");
      if (!modifie || !lien || lien.target || lien.getAttribute("href").charAt(0) === "#") { return; }
      if (window.confirm(QUITTER)) { modifie = false; } else { evenement.preventDefault(); }
    });
    window.addEventListener("beforeunload", function (evenement) {
      if (modifie) { evenement.preventDefault(); evenement.returnValue = QUITTER; }
    });
  }

  // Naming rules while typing: the server's one rule set (dossiers/nommage.py) answers.
  var LIBELLES = {nom: "Nom", nom_officiel: "Nom officiel"};
  function verifierNommage(form) {
    var zone = document.getElementById("avertissements-nommage");
    if (!zone) { return; }
    // Right under the names being typed: above the form, a phone's keyboard hides it.
    var dernier = form.elements.namedItem("nom_officiel") || form.elements.namedItem("nom");
    var bloc = dernier && dernier.closest && dernier.closest(".fr-fieldset__element");
    if (bloc) {
      var place = document.createElement("div");
      place.className = "fr-fieldset__element";
      bloc.insertAdjacentElement("afterend", place);
      place.appendChild(zone);
    }
    var liste = zone.querySelector("ul");
    var attente = null;
    var derniere = 0;
    function demander() {
      var params = new URLSearchParams();
      ["nom", "nom_officiel", "commune", "categorie", "type_uo", "type_oi", "discipline"].forEach(function (nom) {
        var champ = form.elements.namedItem(nom);
        if (champ && champ.value !== undefined) { params.append(nom, champ.value); }
      });
      ["publics", "temporalites_accueil"].forEach(function (nom) {
        var liste = form.elements.namedItem(nom);
        if (liste && liste.selectedOptions) {
          Array.prototype.forEach.call(liste.selectedOptions, function (o) { params.append(nom, o.value); });
        }
      });
      var numero = ++derniere;
      fetch(form.dataset.nommage + "?" + params.toString(), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (reponse) { return reponse.ok ? reponse.json() : null; })
        .then(function (donnees) {
          if (!donnees || numero !== derniere) { return; }
          liste.textContent = "";
          Object.keys(donnees.avertissements).forEach(function (champ) {
            donnees.avertissements[champ].forEach(function (message) {
              var li = document.createElement("li");
              li.dataset.champ = champ;
              li.textContent = (champ === "nom" ? "" : LIBELLES[champ] + " : ") + message;
              liste.appendChild(li);
            });
          });
          zone.hidden = liste.children.length === 0;
        })
        .catch(function () { /* the check is a help: a network hiccup leaves the last warnings */ });
    }
    function plusTard() {
      window.clearTimeout(attente);
      attente = window.setTimeout(demander, 250);
    }
    ["nom", "nom_officiel"].forEach(function (nom) {
      var champ = form.elements.namedItem(nom);
      if (champ) { champ.addEventListener("input", plusTard); }
    });
    // A page sent back (a required field missing) shows the names as typed, not as saved.
    if (document.querySelector(".fr-input-group--error, .fr-alert--error, [aria-invalid=true]")) { demander(); }
    ["commune", "categorie", "type_uo", "type_oi", "discipline", "publics", "temporalites_accueil"].forEach(function (nom) {
      var champ = form.elements.namedItem(nom);
      if (champ && champ.addEventListener) { champ.addEventListener("change", plusTard); }
    });
  }

  // Creating a structure: only the fields of the level chosen (an OI has no FINESS, an EG no type d'OI).
  function champsDuNiveau(niveau) {
    var form = niveau.form;
    var parents = JSON.parse(niveau.dataset.parents || "{}");
    var rattachement = form.elements.namedItem("parent");
    function appliquer() {
      form.querySelectorAll("[data-pour-niveau]").forEach(function (champ) {
        var groupe = champ.closest(".fr-input-group, .fr-select-group") || champ.parentNode;
        groupe.hidden = champ.dataset.pourNiveau !== niveau.value;
      });
      // and only the places it can go under (an OI under an establishment, not under the EJ)
      var permis = parents[niveau.value];
      if (!rattachement || !permis) { return; }
      Array.prototype.forEach.call(rattachement.options, function (option) {
        var garde = !option.dataset.niveau || permis.indexOf(option.dataset.niveau) !== -1;
        option.hidden = !garde;
        option.disabled = !garde;
      });
      if (rattachement.selectedOptions.length && rattachement.selectedOptions[0].disabled) {
        var premiere = Array.prototype.find.call(rattachement.options, function (o) { return !o.disabled; });
        if (premiere) { rattachement.value = premiere.value; }
      }
    }
    niveau.addEventListener("change", appliquer);
    appliquer();
  }

  document.querySelectorAll("#form-creer-structure select[name=niveau]").forEach(champsDuNiveau);
  document.querySelectorAll("form[data-nommage]").forEach(verifierNommage);
  document.querySelectorAll("select[data-filtre-discipline]").forEach(filtrerTypes);
  document.querySelectorAll("form[data-garde-modifications]").forEach(garderModifications);
})();
