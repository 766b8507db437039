/* The search form's suggestions ("Où ?" and "Que recherchez-vous ?") with alphagov's
   accessible-autocomplete (vendored): an ARIA combobox that keyboard, mouse, touch and screen
   readers use alike. Without JavaScript the plain inputs stay and the server reads the text.
   "Où ?": the chosen suggestion's code goes in the hidden field (#id_lieu); typing anything
   else empties it, and the server then reads the text itself. No inline JS (CSP). */
(function () {
  "use strict";
  if (typeof window.accessibleAutocomplete !== "function") { return; }

  function echapper(texte) {
    var div = document.createElement("div");
    div.textContent = texte == null ? "" : String(texte);
    return div.innerHTML;
  }

  function libelle(s) { return typeof s === "string" ? s : (s ? s.libelle : ""); }

  // A suggestion that is a filter of the form ("Accueil de jour", mode de prise en charge):
  // choosing it sets that filter, leaves the words empty, and says so.
  function appliquerFiltre(formulaire, s) {
    var liste = formulaire && formulaire.elements.namedItem(s.filtre);
    if (!liste || !s.code) { return false; }
    liste.value = s.code;
    liste.dispatchEvent(new Event("change", { bubbles: true }));
    var message = document.getElementById("filtre-applique");
    var etiquette = liste.id ? document.querySelector("label[for='" + liste.id + "']") : null;
    if (message) {
      message.textContent = "Filtre appliqué : " + (etiquette ? etiquette.textContent.trim() : s.genre) + " « "
        + s.libelle + " » (à changer dans « Filtres »). Lancez la recherche.";
      message.hidden = false;
    }
    return true;
  }

  function brancher(conteneur) {
    var origine = conteneur.querySelector("input");
    if (!origine) { return; }
    var code = conteneur.dataset.code ? document.getElementById(conteneur.dataset.code) : null;
    var choisi = origine.value;  // the label whose code the hidden field holds
    var demande = 0;

    function source(saisie, afficher) {
      var numero = ++demande;
      fetch(conteneur.dataset.source + "?q=" + encodeURIComponent(saisie),
            { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { resultats: [] }; })
        .then(function (donnees) { if (numero === demande) { afficher(donnees.resultats || []); } })
        .catch(function () { afficher([]); });  // the form still works without suggestions
    }

    var attributs = { id: origine.id, name: origine.name, valeur: origine.value,
                      classes: origine.className };
    origine.parentNode.removeChild(origine);
    window.accessibleAutocomplete({
      element: conteneur,
      id: attributs.id,
      name: attributs.name,
      defaultValue: attributs.valeur,
      source: source,
      minLength: 2,
      autoselect: false,
      confirmOnBlur: false,
      displayMenu: "overlay",
      inputClasses: attributs.classes,
      menuClasses: "ror-autocompletion__menu",
      templates: {
        inputValue: function (s) { return s && s.filtre ? "" : libelle(s); },
        suggestion: function (s) {
          if (typeof s === "string") { return echapper(s); }
          return echapper(s.libelle) + (s.genre ? " <span class=\"ror-autocompletion__genre\">" + echapper(s.genre) + "</span>" : "");
        }
      },
      onConfirm: function (s) {
        demande++;  // a reply still on its way (slow server) must not open the menu again over the form
        if (!s || typeof s === "string") { return; }
        if (s.filtre) { appliquerFiltre(conteneur.closest("form"), s); return; }
        choisi = s.libelle;
        if (code) { code.value = s.valeur || ""; }
      },
      tNoResults: function () { return "Aucune proposition"; },
      tStatusQueryTooShort: function (n) { return "Tapez au moins " + n + " caractères pour avoir des propositions"; },
      tStatusNoResults: function () { return "Aucune proposition"; },
      tStatusSelectedOption: function (option, nombre, rang) { return option + " (" + (rang + 1) + " sur " + nombre + ") est sélectionnée"; },
      tStatusResults: function (nombre, selection) {
        return nombre + (nombre > 1 ? " propositions disponibles. " : " proposition disponible. ") + (selection || "");
      },
      tAssistiveHint: function () {
        return "Quand des propositions s'affichent, parcourez-les avec les flèches haut et bas, puis Entrée pour choisir. "
          + "Sur écran tactile, explorez au toucher ou par balayage.";
      }
    });
    var champ = document.getElementById(attributs.id);
    if (!champ) { return; }
    champ.setAttribute("autocomplete", "off");
    champ.addEventListener("input", function () {
      if (code && champ.value !== choisi) { code.value = ""; }  // another place: the server reads the text
    });
    // Enter with no suggestion highlighted searches (the library would otherwise swallow it).
    conteneur.addEventListener("keydown", function (evenement) {
      if (evenement.key !== "Enter" || evenement.target !== champ) { return; }  // on an option: choose it
      var formulaire = champ.form;
      if (formulaire) {
        evenement.preventDefault();
        evenement.stopPropagation();
        if (formulaire.requestSubmit) { formulaire.requestSubmit(); } else { formulaire.submit(); }
      }
    }, true);
  }

  Array.prototype.forEach.call(document.querySelectorAll(".ror-autocompletion[data-source]"), brancher);
})();
