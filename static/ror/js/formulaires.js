/* Forms and partial updates, for keyboard and screen-reader users (every page, from base.html):
   - after a failed submit, focus goes to the error summary; its links put the focus in the field;
   - after an htmx swap that removed the focused element, focus goes into the new content,
     never back to <body>. */
(function () {
  "use strict";

  function focaliserResume(racine) {
    var resume = (racine || document).querySelector("[data-resume-erreurs]");
    if (resume) { resume.focus(); }
    return resume;
  }

  function champ(cible) {
    if (!cible) { return null; }
    if (cible.hidden || cible.offsetParent === null) {  // an enhanced <select> hides itself behind its search box
      var groupe = cible.closest(".fr-select-group, .fr-input-group, .fr-fieldset, div");
      return groupe && groupe.querySelector("input:not([type=hidden]):not([hidden]), select:not([hidden]), textarea");
    }
    if (cible.tagName === "FIELDSET") { return cible.querySelector("input, select, textarea"); }
    return cible;
  }

  document.addEventListener("click", function (e) {
    var lien = e.target.closest && e.target.closest("[data-vers-champ]");
    if (!lien) { return; }
    var cible = champ(document.getElementById(lien.getAttribute("href").slice(1)));
    if (cible) { e.preventDefault(); cible.focus(); }
  });

  document.addEventListener("DOMContentLoaded", function () { focaliserResume(document); });

  document.addEventListener("htmx:afterSwap", function (e) {
    var ancien = e.detail && e.detail.target;
    var nouveau = ancien && ancien.id ? document.getElementById(ancien.id) : null;
    if (!nouveau) { return; }
    var actif = document.activeElement;
    if (actif && actif !== document.body && document.body.contains(actif) && !nouveau.contains(actif)) { return; }
    if (focaliserResume(nouveau)) { return; }
    var cible = nouveau.querySelector("[role=status]");
    if (cible) { cible.setAttribute("tabindex", "-1"); cible.focus(); return; }
    cible = nouveau.querySelector("form input:not([type=hidden]):not([hidden]), form select:not([hidden]), form textarea") ||
      nouveau.querySelector("[data-modifier]");
    if (!cible) {
      nouveau.setAttribute("tabindex", "-1");
      cible = nouveau;
    }
    cible.focus();
  });
}());
