/* Répertoire: lazy tree, searchable multi-selects, commune suggestions,
   warning before leaving an encadré with unsaved changes. No inline JS (CSP). */
(function () {
  "use strict";

  function sansAccents(texte) {
    return (texte || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // -- tree: children load on first expand, then toggle (a <button>: Enter and Space) ---------------------------------
  document.addEventListener("click", function (e) {
    var lien = e.target.closest("[data-deplier]");
    if (!lien) { return; }
    e.preventDefault();
    var cible = document.getElementById(lien.getAttribute("aria-controls"));
    var signe = lien.querySelector("[aria-hidden]");
    function ouvrir() {
      cible.hidden = false;
      lien.setAttribute("aria-expanded", "true");
      if (signe) { signe.textContent = "−"; }
    }
    if (lien.getAttribute("aria-expanded") === "true") {
      cible.hidden = true;
      lien.setAttribute("aria-expanded", "false");
      if (signe) { signe.textContent = "+"; }
      return;
    }
    if (cible.dataset.charge) { ouvrir(); return; }
    lien.setAttribute("aria-busy", "true");
    fetch(lien.dataset.url || lien.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        cible.innerHTML = html;
        cible.dataset.charge = "1";
        if (window.htmx) { window.htmx.process(cible); }
        lien.removeAttribute("aria-busy");
        ouvrir();
      });
  });

  // Filters of the tree apply as soon as they change.
  document.addEventListener("change", function (e) {
    var form = e.target.closest("#filtres-arbre");
    if (form && (e.target.type === "checkbox" || e.target.tagName === "SELECT")) { form.submit(); }
  });

  function ajouterOption(liste, texte, action) {
    var li = document.createElement("li");
    var bouton = document.createElement("button");
    bouton.type = "button";
    bouton.className = "ror-ms__option";
    bouton.textContent = texte;
    bouton.addEventListener("click", action);
    li.appendChild(bouton);
    liste.appendChild(li);
  }

  // -- searchable multi-select (progressive enhancement of <select multiple>) -------------
  function ameliorerSelect(select) {
    if (select.dataset.ameliore) { return; }
    select.dataset.ameliore = "1";
    var conteneur = document.createElement("div");
    conteneur.className = "ror-ms";
    var choisis = document.createElement("ul");
    choisis.className = "ror-ms__choisis";
    choisis.setAttribute("aria-label", "Valeurs choisies");
    var recherche = document.createElement("input");
    recherche.type = "search";
    recherche.className = "fr-input ror-ms__recherche";
    recherche.placeholder = "Rechercher pour ajouter…";
    recherche.setAttribute("aria-label", "Rechercher une valeur à ajouter : " + (select.labels[0] ? select.labels[0].textContent.trim() : ""));
    var options = document.createElement("ul");
    options.className = "ror-ms__options";
    conteneur.appendChild(choisis);
    conteneur.appendChild(recherche);
    conteneur.appendChild(options);
    select.hidden = true;
    select.insertAdjacentElement("afterend", conteneur);

    function changer() { select.dispatchEvent(new Event("change", { bubbles: true })); }
    function dessinerChoisis() {
      choisis.innerHTML = "";
      Array.prototype.forEach.call(select.options, function (opt) {
        if (!opt.selected) { return; }
        var li = document.createElement("li");
        li.className = "fr-tag fr-tag--sm ror-ms__tag";
        li.textContent = opt.text + " ";
        var retirer = document.createElement("button");
        retirer.type = "button";
        retirer.className = "ror-ms__retirer";
        retirer.textContent = "×";
        retirer.setAttribute("aria-label", "Retirer " + opt.text);
        retirer.addEventListener("click", function () { opt.selected = false; dessinerChoisis(); dessinerOptions(); changer(); });
        li.appendChild(retirer);
        choisis.appendChild(li);
      });
      if (!choisis.children.length) {
        var vide = document.createElement("li");
        vide.className = "ror-vide";
        vide.textContent = "Aucune valeur choisie";
        choisis.appendChild(vide);
      }
    }
    function dessinerOptions() {
      options.innerHTML = "";
      var terme = sansAccents(recherche.value.trim());
      if (!terme) { return; }
      var n = 0;
      var toutes = !select.dataset.activitesHabituelles || (filtre && filtre.checked);
      function lister(aussiHors) {
        Array.prototype.forEach.call(select.options, function (opt) {
          if (opt.selected || n >= 30 || sansAccents(opt.text).indexOf(terme) < 0) { return; }
          if (!aussiHors && opt.dataset.hors === "1") { return; }
          n += 1;
          ajouterOption(options, opt.text, function () {
            opt.selected = true; recherche.value = ""; dessinerChoisis(); dessinerOptions(); changer(); recherche.focus();
          });
        });
      }
      lister(toutes);
      if (!n && !toutes) {
        // A name typed in full is never hidden: none of this type's usual activities matches, show the others.
        var note = document.createElement("li");
        note.className = "ror-vide";
        note.textContent = "Aucune activité habituelle de ce type ne correspond ; les autres :";
        options.appendChild(note);
        lister(true);
        if (!n) { options.removeChild(note); }
      }
      if (!n) {
        var aucun = document.createElement("li");
        aucun.className = "ror-vide";
        aucun.textContent = "Aucune valeur ne correspond.";
        options.appendChild(aucun);
      }
    }
    // Activities: those the Répertoire's units of this type (or discipline) offer, unless
    // "all" is ticked (repertoire.forms.filtrer_activites gives the table).
    var filtre = null;
    if (select.dataset.activitesHabituelles) {
      var table = JSON.parse(select.dataset.activitesHabituelles);
      var idFiltre = select.id + "-toutes";
      var case_ = document.createElement("div");
      case_.className = "fr-checkbox-group fr-checkbox-group--sm fr-mt-1w";
      case_.innerHTML = '<input type="checkbox" id="' + idFiltre + '"><label class="fr-label" for="' + idFiltre +
        '">Afficher toutes les activités (sinon : celles des unités de ce type ou de cette discipline)</label>';
      conteneur.insertBefore(case_, options);
      filtre = case_.querySelector("input");
      var sourceType = select.dataset.sourceType && document.getElementById(select.dataset.sourceType);
      var sourceDiscipline = select.dataset.sourceDiscipline && document.getElementById(select.dataset.sourceDiscipline);
      var appliquer = function () {
        var type = sourceType ? sourceType.value : select.dataset.typeUo;
        var discipline = sourceDiscipline ? sourceDiscipline.value : select.dataset.discipline;
        var permises = table[type] || table["d:" + discipline];
        Array.prototype.forEach.call(select.options, function (opt) {
          opt.dataset.hors = permises && permises.indexOf(Number(opt.value)) < 0 ? "1" : "";
        });
        dessinerOptions();
      };
      [sourceType, sourceDiscipline].forEach(function (source) { if (source) { source.addEventListener("change", appliquer); } });
      filtre.addEventListener("change", dessinerOptions);
      appliquer();
    }
    recherche.addEventListener("input", dessinerOptions);
    recherche.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {  // Enter picks the first suggestion rather than submitting
        e.preventDefault();
        var premier = options.querySelector("button");
        if (premier) { premier.click(); }
      }
    });
    dessinerChoisis();
  }

  // -- commune suggestions (adresse, territoire d'intervention) -------------------------------
  // A territory also offers the département and the EPCI typed (« 49 », « Maine », « Angers
  // Loire »), first: chosen, it is added whole to what the field holds. Keyboard: ↓ goes into
  // the suggestions, ↑/↓ move, Entrée chooses, Échap goes back to the field.
  function ameliorerCommune(input) {
    if (input.dataset.ameliore || !input.dataset.communes) { return; }
    input.dataset.ameliore = "1";
    var liste = document.createElement("ul");
    liste.className = "ror-ms__options";
    liste.setAttribute("aria-label", "Suggestions");
    input.insertAdjacentElement("afterend", liste);
    var minuteur = null;
    var demande = 0;
    var territoire = input.name === "ajouter_communes" || input.dataset.territoire !== undefined;
    function boutons() { return Array.prototype.slice.call(liste.querySelectorAll("button")); }
    function fermer() { demande += 1; liste.innerHTML = ""; }
    input.addEventListener("input", function () {
      clearTimeout(minuteur);
      var morceaux = input.value.split(/[,;\n]/);
      var terme = morceaux[morceaux.length - 1].trim();
      if (terme.length < 2) { fermer(); return; }
      minuteur = setTimeout(function () {
        var numero = ++demande;
        var url = input.dataset.communes + "?q=" + encodeURIComponent(terme) + (territoire ? "&territoire=1" : "");
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (donnees) {
            if (numero !== demande) { return; }  // a later key press, or a choice, came first
            liste.innerHTML = "";
            donnees.communes.forEach(function (c) {
              ajouterOption(liste, c.libelle, function () {
                // what was typed before the last separator stays: the choice is added to it
                var avant = input.value.split(/[,;\n]/);
                avant[avant.length - 1] = (avant.length > 1 ? " " : "") + c.libelle;
                input.value = territoire ? avant.join(",") + ", " : c.libelle;
                fermer();
                input.dispatchEvent(new Event("change", { bubbles: true }));
                input.focus();
              });
              if (c.detail) {
                var detail = document.createElement("span");
                detail.className = "fr-hint-text ror-ms__detail";
                detail.textContent = c.detail;
                liste.lastChild.firstChild.appendChild(detail);
              }
            });
          });
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      var options = boutons();
      if (!options.length) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); options[0].focus(); }
      else if (e.key === "Escape") { e.preventDefault(); fermer(); }
      else if (e.key === "Enter" && input.tagName === "INPUT") { e.preventDefault(); options[0].click(); }
    });
    liste.addEventListener("keydown", function (e) {
      var options = boutons();
      var i = options.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < options.length - 1) { e.preventDefault(); options[i + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? options[i - 1] : input).focus(); }
      else if (e.key === "Escape") { e.preventDefault(); fermer(); input.focus(); }
    });
  }

  function ameliorer(racine) {
    racine.querySelectorAll("select[data-multiselect]").forEach(ameliorerSelect);
    racine.querySelectorAll("input[data-communes], textarea[data-communes]").forEach(ameliorerCommune);
  }

  // -- unsaved changes ------------------------------------------------------------------------
  var MESSAGE = "Des modifications de cet encadré ne sont pas enregistrées. Les abandonner ?";
  function marquer(e) {
    var form = e.target.closest && e.target.closest("form[data-encadre-form]");
    if (form) { form.dataset.modifie = "1"; }
  }
  document.addEventListener("input", marquer);
  document.addEventListener("change", marquer);
  document.addEventListener("submit", function (e) {
    if (e.target.matches("form[data-encadre-form]")) { delete e.target.dataset.modifie; e.target.dataset.envoi = "1"; }
  });
  document.addEventListener("click", function (e) {
    var annuler = e.target.closest("[data-annuler]");
    if (!annuler) { return; }
    var form = annuler.closest("form[data-encadre-form]");
    if (form && form.dataset.modifie && !window.confirm(MESSAGE)) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);
  window.addEventListener("beforeunload", function (e) {
    var nonEnregistre = Array.prototype.some.call(document.querySelectorAll("form[data-encadre-form]"), function (f) {
      return f.dataset.modifie && !f.dataset.envoi;
    });
    if (nonEnregistre) { e.preventDefault(); e.returnValue = MESSAGE; return MESSAGE; }
  });

  // After a save, other open encadrés of the same fiche move to the new version
  // (only when no one else saved in between: versions are consecutive).
  document.addEventListener("ror:version", function (e) {
    var d = e.detail || {};
    if (d.apres !== d.avant + 1) { return; }
    document.querySelectorAll("form[data-encadre-form] input[name=version]").forEach(function (input) {
      if (parseInt(input.value, 10) === d.avant) { input.value = d.apres; }
    });
  });

  document.addEventListener("htmx:afterSwap", function (e) { ameliorer(e.target.parentNode || document); });
  document.addEventListener("htmx:load", function (e) { ameliorer(e.target); });
  ameliorer(document);
})();
