"""Forms of the Répertoire: one per encadré, built from the encadrés table.

Coded fields offer only their value set, by label (never by code number);
bad input gets a French message on the field and nothing is written.
"""

import copy
import re

from django import forms
from django.db.models import Count, Q
from django.forms import formset_factory, modelform_factory, modelformset_factory
from django.urls import reverse

from nomenclatures.models import Commune, Concept, Departement, Epci
from nomenclatures.texte import normaliser

from .encadres import Encadre
from .models import Contact, Horaire, Jour, PieceJointe, SignalementAnomalie, Structure

TAILLE_MAX_PHOTO = 2 * 1024 * 1024
TAILLE_MAX_PIECE = 5 * 1024 * 1024
EXTENSIONS_PIECES = {"pdf", "odt", "ods", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"}


def _octets_en_mo(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} Mo"


# -- communes, by name or postcode -------------------------------------------------------

def chercher_communes(texte: str, limite: int = 20):
    """Communes whose postcode or INSEE code starts with `texte`, or whose name does (accents ignored)."""
    texte = (texte or "").strip()
    if not texte:
        return Commune.objects.none()
    if texte.isdigit():
        return Commune.objects.filter(Q(codes_postaux__contains=[texte]) | Q(code_insee=texte)).order_by("nom")[:limite] \
            if len(texte) == 5 else Commune.objects.filter(code_insee__startswith=texte).order_by("code_insee")[:limite]
    return Commune.objects.filter(nom_recherche__startswith=normaliser(texte)).order_by("-population", "nom")[:limite]


MOTIF_COMMUNE_AFFICHEE = re.compile(r"^(?P<nom>.+?)\s*\((?P<cp>\d{5})\)$")


def resoudre_commune(texte: str) -> Commune:
    """One commune from "Angers", "49000", "49007" or "Angers (49000)"; French error otherwise."""
    texte = (texte or "").strip()
    motif = MOTIF_COMMUNE_AFFICHEE.match(texte)
    if motif:
        trouvees = list(Commune.objects.filter(nom_recherche=normaliser(motif["nom"]),
                                               codes_postaux__contains=[motif["cp"]])[:2])
    elif texte.isdigit() and len(texte) == 5:
        trouvees = list(Commune.objects.filter(Q(code_insee=texte) | Q(codes_postaux__contains=[texte]))[:2])
    else:
        trouvees = list(Commune.objects.filter(nom_recherche=normaliser(texte))[:2])
    if not trouvees:
        raise forms.ValidationError(f"Commune introuvable : « {texte} ». Saisissez son nom ou son code postal.")
    if len(trouvees) > 1:
        raise forms.ValidationError(f"Plusieurs communes correspondent à « {texte} » : "
                                    "précisez le code postal, par exemple « Angers (49000) ».")
    return trouvees[0]


MOTIF_EPCI_AFFICHE = re.compile(r"^(?P<nom>.+?)\s*\(EPCI\)$", re.IGNORECASE)


def chercher_epci(texte: str, limite: int = 5):
    """EPCI whose name (or its part after « CC », « CA »…) starts with `texte`, or by SIREN."""
    texte = (texte or "").strip()
    if texte.isdigit():
        return Epci.objects.filter(code=texte)[:limite] if len(texte) == 9 else Epci.objects.none()
    nom = normaliser(texte)
    if len(nom) < 3:
        return Epci.objects.none()
    return Epci.objects.filter(Q(nom_recherche__startswith=nom) | Q(nom_recherche__contains=f" {nom}")).annotate(
        n=Count("communes")).order_by("nom")[:limite]


CODE_DEPARTEMENT = r"\d{2}|2[ABab]|97\d"
MOTIF_DEPARTEMENT_AFFICHE = re.compile(rf"^(?P<nom>.+?)\s*\((?P<code>{CODE_DEPARTEMENT})\)$")


def chercher_departements(texte: str, limite: int = 3):
    """Départements by code (« 49 », or the start of a postcode: « 490 ») or by name (« maine »),
    each with its number of communes: a territory takes one in one step."""
    texte = (texte or "").strip()
    if re.fullmatch(r"\d{2,5}|2[ABab]\d{0,3}", texte):
        code = texte[:3] if texte.startswith("97") else texte[:2]
        trouves = Departement.objects.filter(code=code.upper())
    elif len(normaliser(texte)) >= 3:
        nom = normaliser(texte)
        trouves = [d for d in Departement.objects.all() if normaliser(d.nom).startswith(nom)
                   or f" {nom}" in normaliser(d.nom)]
        trouves = Departement.objects.filter(pk__in=[d.pk for d in trouves])
    else:
        return []
    return list(trouves.annotate(n=Count("communes")).order_by("code")[:limite])


def libelle_departement(nom: str, code: str) -> str:
    """How a territory field writes a whole département (lire_territoire reads it back)."""
    return f"{nom} ({code})"


def libelle_epci(nom: str) -> str:
    """How a territory field writes a whole EPCI (lire_territoire reads it back)."""
    return f"{nom} (EPCI)"


def _morceaux(texte: str) -> list[str]:
    """"Angers, 49300\n49007 49099" → ["Angers", "49300", "49007", "49099"] (codes may be space-separated)."""
    morceaux = []
    for morceau in re.split(r"[,;\n]+", texte or ""):
        morceau = morceau.strip()
        if re.fullmatch(r"[\dAB ]+", morceau, re.IGNORECASE):
            morceaux += morceau.split()
        elif morceau:
            morceaux.append(morceau)
    return morceaux


def lire_territoire(texte: str) -> list[str]:
    """A territoire d'intervention typed or pasted in one step → INSEE codes: communes by name,
    postcode or INSEE code, whole départements by code (« 49 »), EPCI by SIREN or by name
    (« CU Angers Loire Métropole (EPCI) »). French errors for what is not understood."""
    codes, erreurs = set(), []
    for morceau in _morceaux(texte):
        epci = MOTIF_EPCI_AFFICHE.match(morceau)
        if epci or (morceau.isdigit() and len(morceau) == 9):
            trouve = (Epci.objects.filter(code=morceau).first() if not epci else
                      Epci.objects.filter(nom_recherche=normaliser(epci["nom"])).first())
            if trouve is None:
                erreurs.append(f"EPCI introuvable : « {morceau} ».")
            codes.update(Commune.objects.filter(epci=trouve).values_list("pk", flat=True) if trouve else [])
            continue
        departement = MOTIF_DEPARTEMENT_AFFICHE.match(morceau)
        if departement or re.fullmatch(CODE_DEPARTEMENT, morceau):  # a département: all its communes
            code = (departement["code"] if departement else morceau).upper()
            communes = list(Commune.objects.filter(departement__code=code).values_list("pk", flat=True))
            if not communes:
                erreurs.append(f"Département inconnu : « {morceau} ».")
            codes.update(communes)
            continue
        try:
            codes.add(resoudre_commune(morceau).pk)
        except forms.ValidationError as erreur:
            erreurs.extend(erreur.messages)
    if erreurs:
        raise forms.ValidationError(erreurs[:10])
    return sorted(codes)


AIDE_TERRITOIRE = ("Communes (nom ou code postal), départements (nom ou numéro, ex. : 44) ou EPCI (nom ou SIREN), "
                   "séparés par des virgules ou collés en liste.")


class CommuneField(forms.CharField):
    widget = forms.TextInput(attrs={"data-communes": "", "autocomplete": "off"})

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return str(value)
        if isinstance(value, str) and value.isdigit() and len(value) == 5:  # the instance's code INSEE
            commune = Commune.objects.filter(pk=value).first()
            return str(commune) if commune else value
        return value

    def clean(self, value):
        value = super().clean(value)
        return resoudre_commune(value) if value else None


# -- coded fields: labels only, searchable -------------------------------------------------

class PhotoField(forms.ImageField):
    """An image of limited size: the size is checked before the file is even opened as an image."""

    def to_python(self, data):
        taille = getattr(data, "size", 0) or 0
        if taille > TAILLE_MAX_PHOTO:
            raise forms.ValidationError(f"La photo ne doit pas dépasser {_octets_en_mo(TAILLE_MAX_PHOTO)} "
                                        f"(fichier de {_octets_en_mo(taille)}).")
        return super().to_python(data)


class ChoixConcepts(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.libelle


class ChoixConcept(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.libelle


def _champ_concepts(champ_modele, actuels):
    """Multi-select of one value set (active codes, plus the ones already chosen), by label."""
    jeu = champ_modele.jeu
    queryset = Concept.objects.filter(nomenclature__cle=jeu).filter(Q(actif=True) | Q(pk__in=actuels)).order_by("libelle")
    return ChoixConcepts(queryset=queryset, required=False, label=champ_modele.verbose_name.capitalize(),
                         widget=forms.SelectMultiple(attrs={"data-multiselect": "", "size": "8"}))


CLE_ACTIVITES_HABITUELLES = "repertoire:activites-habituelles"


def activites_habituelles() -> dict[str, list[int]]:
    """The activités opérationnelles the Répertoire's units offer, per type d'UO (key: its pk)
    and per discipline (« d:MSS »): the picker of a unit's activities shows these first.
    One aggregate over every unit, cached for an hour (a help, never a rule)."""
    from django.core.cache import cache

    trouvees = cache.get(CLE_ACTIVITES_HABITUELLES)
    if trouvees is None:
        lien = Structure.activites.through
        par_cle: dict[str, set[int]] = {}
        for type_uo, discipline, activite in lien.objects.filter(structure__niveau="UO").values_list(
                "structure__type_uo", "structure__discipline", "concept").distinct():
            if type_uo:
                par_cle.setdefault(str(type_uo), set()).add(activite)
            if discipline:
                par_cle.setdefault(f"d:{discipline}", set()).add(activite)
        trouvees = {cle: sorted(v) for cle, v in par_cle.items()}
        cache.set(CLE_ACTIVITES_HABITUELLES, trouvees, 3600)
    return trouvees


def filtrer_activites(widget, *, type_uo=None, discipline=None, source_type: str = "", source_discipline: str = ""):
    """Make an activities picker show first the activities of the unit's type and discipline:
    fixed values (a fiche) or the ids of the selects that choose them (a draft)."""
    import json

    widget.attrs.update({"data-activites-habituelles": json.dumps(activites_habituelles(), separators=(",", ":")),
                         "data-type-uo": str(type_uo or ""), "data-discipline": discipline or "",
                         "data-source-type": source_type, "data-source-discipline": source_discipline})


def _champ_concept(champ_modele):
    queryset = Concept.objects.filter(nomenclature__cle=champ_modele.jeu, actif=True).order_by("libelle")
    return ChoixConcept(queryset=queryset, required=False, label=champ_modele.verbose_name.capitalize(),
                        empty_label="— Non renseigné —")


class FormulaireChamps(forms.ModelForm):
    """The scalar and coded fields of one encadré; validated by the model (constraints included)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    ajouter_communes = forms.CharField(
        required=False, label="Ajouter des communes, départements ou EPCI", help_text=AIDE_TERRITOIRE,
        widget=forms.TextInput(attrs={"data-communes": "", "data-territoire": "", "autocomplete": "off"}))

    def clean_ajouter_communes(self):
        return list(Commune.objects.filter(pk__in=lire_territoire(self.cleaned_data.get("ajouter_communes"))))


def formulaire_champs(encadre: Encadre, structure: Structure, data=None, files=None):
    champs = [c for c in encadre.champs + encadre.m2m]
    classe = modelform_factory(Structure, form=FormulaireChamps, fields=champs)
    form = classe(data, files, instance=copy.copy(structure), initial={"version": structure.version})
    for nom in list(form.fields):
        if nom in ("version", "ajouter_communes"):
            continue
        champ_modele = Structure._meta.get_field(nom)
        if nom == "commune":
            form.fields[nom] = CommuneField(required=False, label="Commune (nom ou code postal)")
        elif nom == "territoire":
            _preparer_territoire(form, structure, data)
        elif champ_modele.many_to_many:
            form.fields[nom] = _champ_concepts(champ_modele, [c.pk for c in getattr(structure, nom).all()])
            if nom == "activites":
                filtrer_activites(form.fields[nom].widget, type_uo=structure.type_uo_id,
                                  discipline=structure.discipline)
        elif getattr(champ_modele, "jeu", None):
            form.fields[nom] = _champ_concept(champ_modele)
        elif nom == "photo":
            form.fields[nom] = PhotoField(required=False, label="Photo",
                                          help_text=f"Image JPEG, PNG ou WebP, {_octets_en_mo(TAILLE_MAX_PHOTO)} au plus.",
                                          widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    if "territoire" not in form.fields:
        del form.fields["ajouter_communes"]
    for champ in form.fields.values():
        if "data-communes" in champ.widget.attrs:
            champ.widget.attrs["data-communes"] = reverse("repertoire:communes")
    return form


class TerritoireCoche(forms.MultipleChoiceField):
    """The territory's boxes: a whole département or EPCI is one box (« Maine-et-Loire (49) : tout
    le département »), the other communes one each; unticked, all its communes leave. Cleaned to
    the communes themselves (a département by its code, an EPCI by its SIREN, a commune by INSEE)."""

    widget = forms.CheckboxSelectMultiple

    def clean(self, value):
        codes = super().clean(value)
        par_longueur = {n: [c for c in codes if len(c) in n] for n in ((2, 3), (5,), (9,))}
        if not codes:
            return []
        return list(Commune.objects.filter(Q(departement__in=par_longueur[(2, 3)]) | Q(pk__in=par_longueur[(5,)])
                                           | Q(epci__in=par_longueur[(9,)])).order_by("nom"))


def _preparer_territoire(form, structure, data):
    from nomenclatures.territoires import Territoires

    champ = TerritoireCoche(required=False, label="Territoire d'intervention",
                            help_text="Décochez une commune, un département ou un EPCI pour le retirer.")
    communes = list(structure.territoire.all())
    entiers, restantes = Territoires(communes).grouper([c.pk for c in communes]) if len(communes) > 1 else (
        [], [c.pk for c in communes])
    noms = {c.pk: str(c) for c in communes}
    choix = [(code, f"{libelle_departement(nom, code)} : tout le département ({n} communes)" if sorte == "departement"
              else f"{libelle_epci(nom)} : toute l'EPCI ({n} communes)") for sorte, code, nom, n, *_ in entiers]
    choix += sorted(((code, noms[code]) for code in restantes), key=lambda c: c[1])
    form.initial["territoire"] = [code for code, _ in choix]  # all ticked: the territory as it is
    if data is not None:  # what the page sent back and the territory no longer shows (changed meanwhile)
        connus = {code for code, _ in choix}
        choix += [(c, c) for c in data.getlist("territoire") if c not in connus and re.fullmatch(r"[\dAB]{2,9}", c)]
    champ.choices = choix
    form.fields["territoire"] = champ


# -- contacts, responsable, planning, pièces jointes -------------------------------------------------

CHAMPS_CONTACT = ("libelle", "telephone", "email")


class FormulaireContact(forms.ModelForm):
    class Meta:
        model = Contact
        fields = CHAMPS_CONTACT


ContactFormSet = modelformset_factory(Contact, form=FormulaireContact, extra=1, can_delete=True)


class FormulaireContactBrouillon(FormulaireContact):
    """A contact of a draft fiche (dossier collaboratif): the live contact it copies, by id."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


ContactsBrouillonFormSet = formset_factory(FormulaireContactBrouillon, extra=1, can_delete=True)


class FormulaireResponsable(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("civilite", "titre", "prenom", "nom", "email", "telephone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["civilite"] = _champ_concept(Contact._meta.get_field("civilite"))


CRENEAU = re.compile(r"^(\d{1,2})(?:[:h](\d{2})?)?\s*(?:-|–|à)\s*(\d{1,2})(?:[:h](\d{2})?)?$")


def lire_creneaux(texte: str) -> list[tuple]:
    """"08:30-12:00, 13h30-17h" → [(time(8,30), time(12)), (time(13,30), time(17))]."""
    from datetime import time

    creneaux = []
    for morceau in [m.strip() for m in re.split(r"[,;]+", texte or "") if m.strip()]:
        motif = CRENEAU.match(morceau.lower())
        if not motif:
            raise forms.ValidationError(f"Créneau illisible : « {morceau} ». Écrivez par exemple 08:30-12:00.")
        h1, m1, h2, m2 = (int(x or 0) for x in motif.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            raise forms.ValidationError(f"Heure impossible dans « {morceau} ».")
        debut, fin = time(h1, m1), time(23, 59) if h2 == 24 else time(h2, m2)
        if debut >= fin:
            raise forms.ValidationError(f"Dans « {morceau} », l'heure de fin doit suivre l'heure de début.")
        creneaux.append((debut, fin))
    return creneaux


def ecrire_creneaux(horaires) -> str:
    return ", ".join(f"{h.debut:%H:%M}-{h.fin:%H:%M}" for h in horaires)


class FormulairePlanning(forms.Form):
    def __init__(self, *args, horaires=(), **kwargs):
        """`horaires`: the slots shown, objects with jour, debut and fin (a fiche's Horaire rows)."""
        super().__init__(*args, **kwargs)
        par_jour = {}
        for h in horaires:
            par_jour.setdefault(h.jour, []).append(h)
        for jour in Jour:
            self.fields[f"jour_{jour.value}"] = forms.CharField(
                required=False, label=jour.label, initial=ecrire_creneaux(par_jour.get(jour.value, [])),
                help_text="Ex. : 08:30-12:00, 13:30-17:00 (vide : fermé)")

    def creneaux(self) -> list[tuple]:
        return [(jour.value, debut, fin) for jour in Jour for debut, fin in self.cleaned_data[f"jour_{jour.value}"]]

    def clean(self):
        for jour in Jour:
            nom = f"jour_{jour.value}"
            if nom in self.cleaned_data:
                try:
                    self.cleaned_data[nom] = lire_creneaux(self.cleaned_data[nom])
                except forms.ValidationError as e:
                    self.add_error(nom, e)
        return self.cleaned_data


class FormulairePieces(forms.Form):
    piece_titre = forms.CharField(required=False, max_length=200, label="Titre de la pièce jointe")
    piece_fichier = forms.FileField(required=False, label="Fichier",
                                    help_text=f"PDF, bureautique ou image, {_octets_en_mo(TAILLE_MAX_PIECE)} au plus.")
    pieces_retirer = forms.ModelMultipleChoiceField(queryset=PieceJointe.objects.none(), required=False,
                                                    label="Pièces jointes à retirer",
                                                    widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, structure=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pieces_retirer"].queryset = structure.pieces_jointes.all()

    def clean(self):
        fichier, titre = self.cleaned_data.get("piece_fichier"), self.cleaned_data.get("piece_titre")
        if fichier:
            extension = fichier.name.rsplit(".", 1)[-1].lower() if "." in fichier.name else ""
            if extension not in EXTENSIONS_PIECES:
                self.add_error("piece_fichier", "Type de fichier refusé : PDF, documents bureautiques ou images seulement.")
            elif fichier.size > TAILLE_MAX_PIECE:
                self.add_error("piece_fichier", f"Le fichier ne doit pas dépasser {_octets_en_mo(TAILLE_MAX_PIECE)}.")
            elif not titre:
                self.add_error("piece_titre", "Donnez un titre à la pièce jointe.")
        return self.cleaned_data


# -- one encadré = the forms it needs ------------------------------------------------------

def _heure(valeur):
    from datetime import time

    return time.fromisoformat(valeur) if isinstance(valeur, str) else valeur


class FormulairesParties:
    """The contacts, responsable and planning forms of a fiche (the encadrés' special parts),
    filled from the live fiche (`structure`) or from a draft's data (`brouillon`, a dossier
    collaboratif: {"contacts": [...], "responsable": {...}, "horaires": [(jour, debut, fin)]}).
    `donnees()` is what repertoire.services.encadres.ecrire_parties takes."""

    def __init__(self, speciaux, data=None, *, structure: Structure | None = None, brouillon: dict | None = None):
        self.contacts = self.responsable = self.planning = None
        if "contacts" in speciaux:
            if structure is not None:
                self.contacts = ContactFormSet(data, prefix="contacts",
                                               queryset=structure.contacts.filter(est_responsable=False))
            else:
                self.contacts = ContactsBrouillonFormSet(data, prefix="contacts",
                                                         initial=brouillon.get("contacts") or [])
        if "responsable" in speciaux:
            if structure is not None:
                responsable = structure.contacts.filter(est_responsable=True).first()
            else:
                responsable = Contact(est_responsable=True, **{
                    ("civilite_id" if k == "civilite" else k): v for k, v in (brouillon.get("responsable") or {}).items()})
            self.responsable = FormulaireResponsable(data, prefix="responsable", instance=responsable)
        if "planning" in speciaux:
            horaires = structure.horaires.all() if structure is not None else [
                Horaire(jour=j, debut=_heure(debut), fin=_heure(fin)) for j, debut, fin in brouillon.get("horaires") or []]
            self.planning = FormulairePlanning(data, horaires=horaires, prefix="planning")

    @property
    def formulaires(self):
        return [f for f in (self.contacts, self.responsable, self.planning) if f is not None]

    def donnees(self) -> dict:
        donnees = {}
        if self.contacts is not None:
            donnees["contacts"] = [
                {"id": f.instance.pk or f.cleaned_data.get("id"),  # the live contact, or its draft's id
                 **{k: f.cleaned_data.get(k, "") for k in CHAMPS_CONTACT}}
                for f in self.contacts.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
                and any(f.cleaned_data.get(k) for k in CHAMPS_CONTACT)]
        if self.responsable is not None:
            donnees["responsable"] = {k: self.responsable.cleaned_data.get(k) or ("" if k != "civilite" else None)
                                      for k in FormulaireResponsable.Meta.fields}
        if self.planning is not None:
            donnees["horaires"] = self.planning.creneaux()
        return donnees


class EditionEncadre:
    """The forms of one encadré, validated together; `donnees()` feeds services.modifier_encadre."""

    def __init__(self, encadre: Encadre, structure: Structure, data=None, files=None):
        self.encadre, self.structure = encadre, structure
        self.champs = formulaire_champs(encadre, structure, data, files)
        self.parties = FormulairesParties(encadre.special, data, structure=structure)
        self.contacts, self.responsable, self.planning = (self.parties.contacts, self.parties.responsable,
                                                          self.parties.planning)
        self.pieces = None
        if "pieces" in encadre.special:
            self.pieces = FormulairePieces(data, files, structure=structure, prefix="pieces")

    @property
    def sous_formulaires(self):
        return [f for f in (self.champs, self.contacts, self.responsable, self.planning, self.pieces) if f is not None]

    def is_valid(self) -> bool:
        return all([f.is_valid() for f in self.sous_formulaires])

    @property
    def version(self) -> int:
        return self.champs.cleaned_data["version"]

    def donnees(self) -> dict:
        donnees = {}
        for nom in self.encadre.champs + self.encadre.m2m:
            if nom not in self.champs.cleaned_data:
                continue
            valeur = self.champs.cleaned_data[nom]
            if nom == "photo":
                if valeur is False:
                    donnees[nom] = ""
                elif hasattr(valeur, "content_type"):
                    donnees[nom] = valeur
                continue
            donnees[nom] = valeur
        if "territoire" in donnees:
            donnees["territoire"] = list(donnees["territoire"]) + self.champs.cleaned_data.get("ajouter_communes", [])
        donnees.update(self.parties.donnees())
        if self.pieces is not None:
            fichier = self.pieces.cleaned_data.get("piece_fichier")
            donnees["pieces_ajout"] = [(self.pieces.cleaned_data["piece_titre"], fichier)] if fichier else []
            donnees["pieces_retrait"] = [p.pk for p in self.pieces.cleaned_data.get("pieces_retirer", [])]
        return donnees


class FormulaireAnomalie(forms.ModelForm):
    class Meta:
        model = SignalementAnomalie
        fields = ("description",)
        widgets = {"description": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}


class FormulaireTraitement(forms.Form):
    reponse = forms.CharField(label="Réponse à l'auteur", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


# -- API tokens: expiry and ANS access profile (FHIR and beds pages) ----------------------------

class ChampsJetonForm(forms.Form):
    """What a gestionnaire sets on a token besides its name: when it expires, and (FHIR) which
    ANS access profile it has. Empty fields leave the token as it is (defaults at creation)."""

    expire_le = forms.DateField(label="Expire le", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                error_messages={"invalid": "Date d'expiration illisible (attendu JJ/MM/AAAA)."})
    profil_acces = forms.TypedChoiceField(label="Profil d'accès ANS", required=False, coerce=int, empty_value=None,
                                          help_text="Seuls les profils 1 et 4 voient les unités sensibles.")

    def __init__(self, *args, profil=True, **kwargs):
        from .models import ProfilAcces

        super().__init__(*args, **kwargs)
        self.fields["profil_acces"].choices = ProfilAcces.choices
        if not profil:
            del self.fields["profil_acces"]
