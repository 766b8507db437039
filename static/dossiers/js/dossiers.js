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

  function garderModifications(form) {
    var modifie = false;
    form.addEventListener("input", function () { modifie = true; });
    form.addEventListener("change", function () { modifie = true; });
    form.addEventListener("submit", function () { modifie = false; });
    window.addEventListener("beforeunload", function (evenement) {
      if (modifie) { evenement.preventDefault(); evenement.returnValue = ""; }
    });
  }

  document.querySelectorAll("select[data-filtre-discipline]").forEach(filtrerTypes);
  document.querySelectorAll("form[data-garde-modifications]").forEach(garderModifications);
})();
