/* Autocomplete of the search form ("Où ?" and "Que recherchez-vous ?") with native <datalist>:
   keyboard and screen readers work as with any input. No inline JS (CSP). */
(function () {
  "use strict";
  var script = document.getElementById("script-autocompletion");
  if (!script) { return; }

  function brancher(input, liste, url, surChoix) {
    if (!input || !liste) { return; }
    var minuterie = null;
    var propositions = [];
    input.addEventListener("input", function () {
      if (surChoix) { surChoix(propositions, input.value); }
      clearTimeout(minuterie);
      var q = input.value.trim();
      if (q.length < 2) { return; }
      minuterie = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { resultats: [] }; })
          .then(function (donnees) {
            propositions = donnees.resultats || [];
            liste.textContent = "";
            propositions.forEach(function (p) {
              var option = document.createElement("option");
              option.value = p.libelle;
              option.label = p.genre;
              liste.appendChild(option);
            });
            if (surChoix) { surChoix(propositions, input.value); }
          })
          .catch(function () { /* the form still works without suggestions */ });
      }, 150);
    });
  }

  var lieu = document.getElementById("id_lieu");
  brancher(document.getElementById("id_ou"), document.getElementById("propositions-ou"), script.dataset.urlLieux,
    function (propositions, valeur) {
      // The chosen suggestion's code goes in the hidden field; typed text is resolved by the server.
      var choisie = propositions.filter(function (p) { return p.libelle === valeur; })[0];
      if (lieu) { lieu.value = choisie ? choisie.valeur : ""; }
    });
  brancher(document.getElementById("id_quoi"), document.getElementById("propositions-quoi"), script.dataset.urlLibelles, null);
})();
