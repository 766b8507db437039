"""What the demo's structures are called, and where they are: the Pays de la Loire hospitals
as they really are (public knowledge: one CH per hospital commune, sites of multi-site
establishments, GHT), the pools real names are drawn from elsewhere (saints, trees, places,
lieux-dits, people), the managing bodies of medico-social services, and street names.

Establishment (EG) names follow the regional guide's naming rules (seeds, ROR Pays de la
Loire, "Règles de nommage"): capitals, no accents nor special characters, "[type] [commune]",
no "DE"/"DU" between the type and the commune. Read by demo/region.py.
"""

# -- the region's hospitals ---------------------------------------------------------------
# (EJ name, J173 statut, GHT support?, [(EG name, J55 category, INSEE commune, address or None, units)])
# units: None = the category's usual units; otherwise the names of the catalogue units the site runs.
SITE_HOTEL_DIEU = ("Urgences adultes", "Urgences pédiatriques", "SMUR", "Réanimation polyvalente adulte",
                   "Réanimation chirurgicale", "Réanimation pédiatrique", "Réanimation néonatale",
                   "Centre de traitement des grands brûlés", "Unité de surveillance continue",
                   "Surveillance continue pédiatrique", "Chirurgie orthopédique et traumatologique",
                   "Chirurgie viscérale et digestive", "Chirurgie ambulatoire", "Maternité", "Néonatologie",
                   "Pédiatrie", "Oncologie médicale – hôpital de jour", "Hémodialyse chronique")
SITE_LAENNEC = ("Réanimation médicale", "Soins intensifs de cardiologie (USIC)",
                "Soins intensifs neuro-vasculaires (USINV)", "Unité de soins intensifs polyvalents",
                "Cardiologie – hospitalisation complète", "Neurologie", "Pneumologie", "Médecine polyvalente")
SITE_SAINT_JACQUES = ("SMR polyvalent", "Unité de soins palliatifs", "Unité de soins de longue durée")
SITE_BELLIER = ("Court séjour gériatrique", "Consultation mémoire")

HOPITAUX = {
    "44": [
        ("CENTRE HOSPITALIER UNIVERSITAIRE NANTES", "15", True, [
            ("CHU NANTES - HOTEL DIEU", "101", "44109", ("1", "PL", "Alexis Ricordeau", "44000"), SITE_HOTEL_DIEU),
            ("CHU NANTES - HOPITAL NORD LAENNEC", "101", "44162", ("1", "BD", "Jacques Monod", "44800"),
             SITE_LAENNEC),
            ("CHU NANTES - HOPITAL SAINT JACQUES", "101", "44109", ("85", "RUE", "Saint-Jacques", "44200"),
             SITE_SAINT_JACQUES),
            ("CHU NANTES - HOPITAL BELLIER", "101", "44109", ("41", "RUE", "Curie", "44000"), SITE_BELLIER)]),
        ("CENTRE HOSPITALIER SAINT NAZAIRE", "13", False, [
            ("CH SAINT NAZAIRE", "355", "44184", ("11", "BD", "Georges Charpak", "44600"), None)]),
        ("CENTRE HOSPITALIER CHATEAUBRIANT NOZAY POUANCE", "14", False, [
            ("CH CHATEAUBRIANT", "355", "44036", ("9", "RUE", "de Verdun", "44110"), None),
            ("CH NOZAY", "106", "44113", None, None),
            ("CH OMBREE D ANJOU", "106", "49248", None, None)]),
        ("CENTRE HOSPITALIER ERDRE ET LOIRE", "13", False, [
            ("CH ANCENIS SAINT GEREON", "355", "44003", None, None)]),
        ("CENTRE HOSPITALIER INTERCOMMUNAL DE LA PRESQU'ILE", "14", False, [
            ("CH GUERANDE", "355", "44069", None, None),
            ("CH LE CROISIC", "106", "44049", None, None)]),
        ("HOPITAL INTERCOMMUNAL DU PAYS DE RETZ", "14", False, [
            ("CH PORNIC", "106", "44131", None, None),
            ("CH PAIMBOEUF", "106", "44116", None, None)]),
        ("HOPITAL INTERCOMMUNAL SEVRE ET LOIRE", "14", False, [
            ("CH VERTOU", "106", "44215", None, None),
            ("CH LE LOROUX BOTTEREAU", "106", "44084", None, None)]),
        ("CENTRE HOSPITALIER CLISSON", "13", False, [("CH CLISSON", "106", "44043", None, None)]),
        ("CENTRE HOSPITALIER CORCOUE SUR LOGNE", "13", False, [
            ("CH CORCOUE SUR LOGNE", "106", "44156", None, None)]),
        ("CENTRE HOSPITALIER SAVENAY", "13", False, [("CH SAVENAY", "106", "44195", None, None)]),
        ("CENTRE HOSPITALIER GEORGES DAUMEZON", "11", False, [
            ("CH GEORGES DAUMEZON", "292", "44020", None, None)]),
        ("CENTRE HOSPITALIER BLAIN", "11", False, [("CH BLAIN", "292", "44015", None, None)]),
    ],
    "49": [
        ("CENTRE HOSPITALIER UNIVERSITAIRE ANGERS", "15", True, [
            ("CHU ANGERS", "101", "49007", ("4", "RUE", "Larrey", "49100"), None)]),
        ("CENTRE HOSPITALIER CHOLET", "13", False, [
            ("CH CHOLET", "355", "49099", ("1", "RUE", "Marengo", "49300"), None)]),
        ("CENTRE HOSPITALIER SAUMUR", "13", False, [
            ("CH SAUMUR", "355", "49328", ("3", "RTE", "de Fontevraud", "49400"), None)]),
        ("POLE HOSPITALIER PUBLIC DU BAUGEOIS ET DE LA VALLEE", "14", False, [
            ("CH BAUGE EN ANJOU", "106", "49018", None, None),
            ("CH BEAUFORT EN ANJOU", "106", "49021", None, None),
            ("CH LONGUE JUMELLES", "106", "49180", None, None)]),
        ("CENTRE HOSPITALIER LAYON AUBANCE", "14", False, [
            ("CH TERRANJOU", "106", "49086", None, None),
            ("CH CHALONNES SUR LOIRE", "106", "49063", None, None)]),
        ("CENTRE HOSPITALIER INTERCOMMUNAL LYS HYROME", "14", False, [
            ("CH CHEMILLE EN ANJOU", "106", "49092", None, None),
            ("CH LYS HAUT LAYON", "106", "49373", None, None)]),
        ("CENTRE HOSPITALIER DOUE EN ANJOU", "13", False, [("CH DOUE EN ANJOU", "106", "49125", None, None)]),
        ("CENTRE HOSPITALIER SEGRE EN ANJOU BLEU", "13", False, [
            ("CH SEGRE EN ANJOU BLEU", "106", "49331", None, None)]),
        ("CENTRE HOSPITALIER CANDE", "13", False, [("CH CANDE", "106", "49054", None, None)]),
        ("CENTRE HOSPITALIER SAINT GEORGES SUR LOIRE", "13", False, [
            ("CH SAINT GEORGES SUR LOIRE", "106", "49283", None, None)]),
        ("CENTRE DE SANTE MENTALE ANGEVIN", "11", False, [
            ("CESAME", "292", "49278", ("27", "RTE", "de Bouchemaine", "49130"), None)]),
    ],
    "53": [
        ("CENTRE HOSPITALIER LAVAL", "13", True, [
            ("CH LAVAL", "355", "53130", ("33", "RUE", "du Haut Rocher", "53000"), None)]),
        ("CENTRE HOSPITALIER DU HAUT ANJOU", "13", False, [
            ("CH CHATEAU GONTIER SUR MAYENNE", "355", "53062", None, None)]),
        ("CENTRE HOSPITALIER DU NORD MAYENNE", "13", False, [("CH MAYENNE", "355", "53147", None, None)]),
        ("HOPITAL LOCAL DU SUD OUEST MAYENNAIS", "14", False, [
            ("CH CRAON", "106", "53084", None, None),
            ("CH RENAZE", "106", "53188", None, None)]),
        ("CENTRE HOSPITALIER ERNEE", "13", False, [("CH ERNEE", "106", "53096", None, None)]),
        ("CENTRE HOSPITALIER EVRON", "13", False, [("CH EVRON", "106", "53097", None, None)]),
        ("CENTRE HOSPITALIER VILLAINES LA JUHEL", "13", False, [
            ("CH VILLAINES LA JUHEL", "106", "53271", None, None)]),
        ("CENTRE HOSPITALIER GORRON", "13", False, [("CH GORRON", "106", "53107", None, None)]),
        ("CENTRE HOSPITALIER LASSAY LES CHATEAUX", "13", False, [
            ("CH LASSAY LES CHATEAUX", "106", "53127", None, None)]),
    ],
    "72": [
        ("CENTRE HOSPITALIER LE MANS", "13", True, [
            ("CH LE MANS", "355", "72181", ("194", "AV", "Rubillard", "72000"), None)]),
        ("POLE SANTE SARTHE ET LOIR", "14", False, [
            ("CH LE BAILLEUL", "355", "72022", None, None)]),
        ("CENTRE HOSPITALIER LA FERTE BERNARD", "13", False, [
            ("CH LA FERTE BERNARD", "355", "72132", None, None)]),
        ("CENTRE HOSPITALIER INTERCOMMUNAL ALENCON MAMERS", "14", False, [
            ("CH MAMERS", "355", "72180", None, None)]),
        ("CENTRE HOSPITALIER SAINT CALAIS", "13", False, [("CH SAINT CALAIS", "106", "72269", None, None)]),
        ("CENTRE HOSPITALIER CHATEAU DU LOIR", "13", False, [
            ("CH MONTVAL SUR LOIR", "106", "72071", None, None)]),
        ("HOPITAL LOCAL DES ALPES MANCELLES", "14", False, [
            ("CH SILLE LE GUILLAUME", "106", "72334", None, None),
            ("CH FRESNAY SUR SARTHE", "106", "72138", None, None)]),
        ("CENTRE HOSPITALIER LE LUDE", "13", False, [("CH LE LUDE", "106", "72176", None, None)]),
        ("CENTRE HOSPITALIER BONNETABLE", "13", False, [("CH BONNETABLE", "106", "72039", None, None)]),
        ("ETABLISSEMENT PUBLIC DE SANTE MENTALE DE LA SARTHE", "11", False, [
            ("EPSM SARTHE", "292", "72003", None, None)]),
    ],
    "85": [
        ("CENTRE HOSPITALIER DEPARTEMENTAL VENDEE", "11", True, [
            ("CHD VENDEE - SITE LA ROCHE SUR YON", "355", "85191", ("1", "BD", "Stéphane Moreau", "85000"), None),
            ("CHD VENDEE - SITE LUCON", "355", "85128", None, None),
            ("CHD VENDEE - SITE MONTAIGU", "355", "85146", None, None)]),
        ("CENTRE HOSPITALIER COTE DE LUMIERE", "13", False, [
            ("CH LES SABLES D OLONNE", "355", "85194", None, None)]),
        ("CENTRE HOSPITALIER LOIRE VENDEE OCEAN", "14", False, [
            ("CH CHALLANS", "355", "85047", None, None),
            ("CH MACHECOUL SAINT MEME", "106", "44087", None, None)]),
        ("HOPITAUX SUD VENDEE", "14", False, [
            ("CH FONTENAY LE COMTE", "355", "85092", None, None)]),
        ("CENTRE HOSPITALIER ILE D YEU", "13", False, [("CH L ILE D YEU", "106", "85113", None, None)]),
        ("CENTRE HOSPITALIER NOIRMOUTIER", "13", False, [
            ("CH NOIRMOUTIER EN L ILE", "106", "85163", None, None)]),
        ("CENTRE HOSPITALIER POUZAUGES", "13", False, [("CH POUZAUGES", "106", "85182", None, None)]),
        ("CENTRE HOSPITALIER MAREUIL SUR LAY DISSAIS", "13", False, [
            ("CH MAREUIL SUR LAY DISSAIS", "106", "85135", None, None)]),
        ("CENTRE HOSPITALIER GEORGES MAZURELLE", "11", False, [
            ("CH GEORGES MAZURELLE", "292", "85191", None, None)]),
    ],
}
# Hospital communes whose centre the communes file lacks (recent communes nouvelles): WGS84.
CENTRES = {"44003": (47.3657, -1.1773)}  # Ancenis-Saint-Géréon (Ancenis)
# The region's GHT, one per département (the support is the EJ marked True above).
GHT = {"44": "GHT LOIRE ATLANTIQUE", "49": "GHT MAINE ET LOIRE", "53": "GHT MAYENNE ET HAUT ANJOU",
       "72": "GHT SARTHE", "85": "GHT VENDEE"}

# Site names of multi-site hospitals elsewhere (national generator).
SITES_HOPITAL = ["HOPITAL NORD", "HOPITAL SUD", "HOTEL DIEU", "HOPITAL SAINT JACQUES", "HOPITAL SAINT LOUIS",
                 "HOPITAL SAINT ANTOINE", "HOPITAL PASTEUR", "HOPITAL LARREY", "HOPITAL SALENGRO",
                 "HOPITAL LA CHARITE", "HOPITAL BELLEVUE", "HOPITAL DE LA CROIX ROUSSE", "HOPITAL DE LA TIMONE",
                 "HOPITAL NECKER", "HOPITAL TENON", "HOPITAL BICHAT", "HOPITAL COCHIN", "HOPITAL LARIBOISIERE",
                 "HOPITAL SAINT ROCH", "HOPITAL CIMIEZ", "HOPITAL PELLEGRIN", "HOPITAL RANGUEIL",
                 "HOPITAL PURPAN", "HOPITAL EDOUARD HERRIOT", "HOPITAL LYON SUD", "HOPITAL MICHALLON",
                 "HOPITAL CHARLES NICOLLE", "HOPITAL MORVAN", "HOPITAL PONTCHAILLOU", "HOPITAL SUD REMBLAIS",
                 "HOPITAL BEAUJON", "HOPITAL AMBROISE PARE", "HOPITAL AVICENNE", "HOPITAL JEAN VERDIER",
                 "HOPITAL BRETONNEAU", "HOPITAL TROUSSEAU", "HOPITAL ROBERT DEBRE", "HOPITAL SAINT JOSEPH",
                 "HOPITAL DE LA CONCEPTION", "HOPITAL NORD OUEST", "HOPITAL EST", "HOPITAL OUEST",
                 "HOPITAL BROCA", "HOPITAL BRABOIS", "HOPITAL HAUTEPIERRE", "HOPITAL CIVIL",
                 "HOPITAL SAINT PHILIBERT", "HOPITAL CLAUDE HURIEZ", "HOPITAL JEAN MINJOZ", "HOPITAL BOCAGE"]

# -- pools of names -------------------------------------------------------------------------
SAINTS = ["SAINT JOSEPH", "SAINTE ANNE", "SAINT FRANCOIS", "SAINT JEAN", "SAINTE MARIE", "SAINT MARTIN",
          "SAINT PIERRE", "SAINTE THERESE", "SAINT VINCENT DE PAUL", "SAINT NICOLAS", "SAINTE CLAIRE",
          "SAINT JACQUES", "SAINT LOUIS", "SAINTE ELISABETH", "SAINT MICHEL", "SAINT GABRIEL", "SAINTE FAMILLE",
          "NOTRE DAME", "SAINT CHARLES", "SAINTE MADELEINE", "SAINT ANTOINE", "SAINT HILAIRE", "SAINTE CROIX",
          "SAINT BENOIT", "SAINT DOMINIQUE", "SAINTE JEANNE D ARC", "SAINT LAURENT", "SAINTE AGNES",
          "SAINT RENE", "SAINT CLEMENT", "SAINTE BERNADETTE", "SAINT PAUL", "SAINT FIACRE", "SAINT GUENOLE",
          "SAINTE GENEVIEVE", "SAINT SAUVEUR", "SAINT ETIENNE", "SAINT AUGUSTIN", "SAINTE CATHERINE"]
ARBRES_FLEURS = ["LES TILLEULS", "LES CHENES", "LES ERABLES", "LES CHARMILLES", "LES MARRONNIERS", "LES PLATANES",
                 "LES SAULES", "LES BOULEAUX", "LES CEDRES", "LES PINS", "LES ORMEAUX", "LES PEUPLIERS",
                 "LES ACACIAS", "LES GLYCINES", "LES HORTENSIAS", "LES CAMELIAS", "LES LILAS", "LES ROSIERS",
                 "LES AUBEPINES", "LES BRUYERES", "LES GENETS", "LES AJONCS", "LES IRIS", "LES JONQUILLES",
                 "LES MYOSOTIS", "LES PERVENCHES", "LES PRIMEVERES", "LES CAPUCINES", "LES COQUELICOTS",
                 "LES BLEUETS", "LES MIMOSAS", "LES LAURIERS", "LES HETRES", "LES FRENES", "LES NOISETIERS",
                 "LES CERISIERS", "LES POMMIERS", "LES AMANDIERS", "LES OLIVIERS", "LES CYPRES", "LES SEQUOIAS",
                 "LE GRAND CHENE", "LE VIEUX TILLEUL", "LES TROIS CHENES", "LES VERGERS", "LES FOUGERES",
                 "LES AMARYLLIS", "LES BEGONIAS", "LES DAHLIAS", "LES ASTERS", "LES MAGNOLIAS", "LES CHATAIGNIERS",
                 "LES TAMARIS", "LES ARBOUSIERS", "LES SORBIERS", "LES HOUX", "LES GRANDS PINS", "LE CEDRE BLEU"]
LIEUX = ["LE CLOS FLEURI", "LA VERTE PRAIRIE", "LES JARDINS DU LAC", "LE BOCAGE", "LE PRE VERT", "LES EAUX VIVES",
         "LA BRISE MARINE", "LE VAL DE LOIRE", "LES BLES D OR", "LE PARC", "LES VIGNES", "LA CHESNAIE",
         "LE MOULIN", "LE PRIEURE", "LE MANOIR", "LA CLAIRIERE", "LES COTEAUX", "LA VALLEE", "LES RIVES",
         "LE VAL FLEURI", "LA ROSERAIE", "LE LOGIS", "LA GRANDE MAISON", "LA BOISSIERE", "LA SOURCE",
         "BEAUSOLEIL", "BEAUSEJOUR", "LE BON ACCUEIL", "L ESCALE", "LES HIRONDELLES", "LES ALOUETTES",
         "LES MOUETTES", "LE BOIS JOLI", "LA FONTAINE", "LE VERGER", "LA GARENNE", "LA MAISON DU MARAIS",
         "LA PROVIDENCE", "LES TERRASSES", "LE HAMEAU", "LES JARDINS", "LE PLESSIS", "LA TOUR", "LE BEL AIR",
         "LE SOLEIL LEVANT", "LES SABLES D OR", "LE PORT", "LA COLLINE", "LE CHAMP FLEURI", "LES PRES",
         "LA CHAUMIERE", "LE GRAND JARDIN", "LES BORDS DE LOIRE", "LA MAISON BLEUE", "LE CLOS DES VIGNES",
         "LE VIEUX BOURG", "LA PLAINE", "LE RIVAGE", "LES HAUTS DE SEVRE", "LE BOIS FLEURI", "LES ETANGS"]
LIEUX_DITS = ["LA CHAUVINIERE", "LA BRIANDIERE", "LA GUILLONNIERE", "LA MORINIERE", "LA BOURGONNIERE",
              "LA BARBINIERE", "LA HAUTIERE", "LA PIGEONNIERE", "LA GAUDINIERE", "LA PERRIERE", "LA GRILLONNAIS",
              "LA HERSONNIERE", "LA TOURNERIE", "LA BAUGERIE", "LA PROUTIERE", "LE PERRAY", "LA GRANDE AIRE",
              "LA COLINIERE", "LA TOUCHE", "LA HAIE", "LE PATIS", "LA BRETECHE", "LA CHAUSSEE", "LA RIVIERE",
              "LA JAUNAIE", "LA FLEURIAYE", "LA BOUVARDIERE", "LA MARTINIERE", "LA MOTTE", "LE TERTRE"]
PERSONNES = ["MARIE CURIE", "JEANNE JUGAN", "LOUISE DE MARILLAC", "JULES VERNE", "VICTOR HUGO",
             "GEORGES BRASSENS", "JEAN MOULIN", "ANNE DE BRETAGNE", "AMBROISE PARE", "LOUIS PASTEUR",
             "HENRI DUNANT", "SIMONE VEIL", "ARISTIDE BRIAND", "CHARLES DE FOUCAULD", "ANDRE MALRAUX",
             "JEAN DE LA FONTAINE", "ALBERT SCHWEITZER", "SAINT EXUPERY", "RENE CASSIN", "MARGUERITE DURAS",
             "LUCIE AUBRAC", "GEORGE SAND", "CAMILLE CLAUDEL", "MAURICE RAVEL", "PAUL VERLAINE"]
PH_NOMS = ["L ARC EN CIEL", "LE PHARE", "LES ETOILES", "LA RONDE", "L ENVOL", "LE TREMPLIN", "LA PASSERELLE",
           "LES MOULINS", "LA COLOMBE", "L ESTUAIRE", "LES PAPILLONS", "LA MARELLE", "LES GRILLONS",
           "LES COCCINELLES", "L ODYSSEE", "LE GOELAND", "LA BOUSSOLE", "LE CAP", "L ESSOR", "LA CORDEE"]
CLINIQUES = [  # no real clinic's name, which would stand in the wrong town
    "CLINIQUE SAINT AUGUSTIN", "CLINIQUE SAINT PAUL", "CLINIQUE DES CEDRES", "CLINIQUE SAINT CHARLES",
    "CLINIQUE SAINTE ANNE", "CLINIQUE DU TERTRE", "CLINIQUE DE LA SOURCE", "CLINIQUE DU MAIL",
    "POLYCLINIQUE DU PARC", "POLYCLINIQUE DU VAL", "CLINIQUE SAINT JOSEPH", "CLINIQUE SAINTE MARIE",
    "CLINIQUE DU VAL FLEURI", "POLYCLINIQUE DE L OCEAN", "CLINIQUE SAINT FRANCOIS", "CLINIQUE DES LILAS",
    "POLYCLINIQUE DU BOCAGE", "CLINIQUE DU PRE", "CLINIQUE DE LA PLAINE", "CLINIQUE SAINT VINCENT",
    "POLYCLINIQUE SAINT COME", "CLINIQUE DE LA RIVIERE", "CLINIQUE MUTUALISTE", "CLINIQUE DES TILLEULS",
    "CLINIQUE CHAMP ROUGE", "CLINIQUE SAINT MICHEL", "POLYCLINIQUE DES PAVILLONS"]
TYPES_SMR = ["CENTRE DE READAPTATION", "CENTRE DE REEDUCATION", "SMR", "MAISON DE CONVALESCENCE"]
QUARTIERS = ["CENTRE", "NORD", "SUD", "EST", "OUEST", "CENTRE VILLE", "RIVE GAUCHE", "RIVE DROITE"]

# -- managing bodies (EJ) of medico-social and ambulatory services ----------------------------
# (name template, J173 statut, weight); {DEP}: département's name, {VILLE}: the commune.
# The same name in the same département is the same EJ: associations manage several ESMS.
GESTIONNAIRES_PA = [  # {NOM}: the establishment's own name (an association running one EHPAD)
    ("ASSOCIATION {NOM}", "60", 5), ("CCAS {VILLE}", "17", 4), ("MUTUALITE FRANCAISE {DEP}", "47", 2),
    ("ASSOCIATION SAINT JOSEPH {DEP}", "60", 1), ("FONDATION ANAIS", "63", 1),
    ("FONDATION SAINT JEAN DE DIEU", "63", 1), ("ASSOCIATION AMITIE ET PARTAGE {DEP}", "60", 1),
    ("CONGREGATION DES SOEURS DE SAINT GILDAS", "64", 1), ("ASSOCIATION LES AINES {DEP}", "60", 1),
    ("FONDATION PARTAGE ET VIE", "63", 1), ("CIAS {VILLE} ET ENVIRONS", "08", 1),
]
GESTIONNAIRES_DOMICILE = [  # with the brand the service's name carries ("SAAD ADMR CLISSON")
    ("ASSOCIATION LOCALE ADMR {VILLE}", "60", 4, "ADMR"), ("AIDE ET PRESENCE {DEP}", "60", 1, "AIDE ET PRESENCE"),
    ("CCAS {VILLE}", "17", 2, "CCAS"), ("VIVRE CHEZ SOI {DEP}", "60", 1, "VIVRE CHEZ SOI"),
    ("UNA {DEP}", "60", 1, "UNA"),
]
GESTIONNAIRES_PH = [
    ("ADAPEI {DEP}", "61", 4), ("APAJH {DEP}", "61", 2), ("APF FRANCE HANDICAP", "61", 1),
    ("ASSOCIATION LES PAPILLONS BLANCS {DEP}", "61", 1), ("FONDATION OVE", "63", 1),
    ("ASSOCIATION L ETAPE {DEP}", "60", 1), ("ASSOCIATION HANDI ESPOIR {DEP}", "60", 1),
    ("MUTUALITE FRANCAISE {DEP}", "47", 1), ("ASSOCIATION {NOM}", "60", 1),
    ("ASSOCIATION DES PARALYSES ET HANDICAPES {DEP}", "60", 1), ("FONDATION ARMEE DU SALUT", "63", 1),
]
GESTIONNAIRES = {
    "500": GESTIONNAIRES_PA, "202": GESTIONNAIRES_PA, "207": GESTIONNAIRES_PA,
    "354": GESTIONNAIRES_DOMICILE, "460": GESTIONNAIRES_DOMICILE, "209": GESTIONNAIRES_DOMICILE,
    "197": [("ADDICTIONS FRANCE", "61", 2), ("OPPELIA", "60", 1), ("ASSOCIATION LE TRIANGLE {DEP}", "60", 1)],
    "180": [("CROIX ROUGE FRANCAISE", "61", 1), ("ASSOCIATION LES EAUX VIVES EMMAUS", "60", 1),
            ("ARMEE DU SALUT", "63", 1)],
    "606": [("ASSOCIATION DISPOSITIF D APPUI A LA COORDINATION {DEP}", "60", 1)],
    "127": [("ASSOCIATION HOSPITALISATION A DOMICILE {DEP}", "60", 2), ("SANTE SERVICE", "61", 1)],
    "141": [("ASSOCIATION POUR L UTILISATION DU REIN ARTIFICIEL {DEP}", "60", 1), ("ECHO DIALYSE", "60", 1)],
    "124": [("MUTUALITE FRANCAISE {DEP}", "47", 2), ("CCAS {VILLE}", "17", 1), ("FILIERIS", "40", 1)],
    "109": [("UGECAM", "40", 2), ("FONDATION HOPALE", "63", 1), ("ASSOCIATION HOSPITALIERE DE L OUEST", "60", 1),
            ("MUTUALITE FRANCAISE {DEP}", "47", 1), ("GROUPE HOSPITALIER MUTUALISTE", "47", 1)],
}
# -- streets --------------------------------------------------------------------------------
# (J219 street type, name)
VOIES = [
    ("RUE", "des Lilas"), ("RUE", "Pasteur"), ("AV", "du Général de Gaulle"), ("RUE", "de la Gare"),
    ("BD", "Victor Hugo"), ("RUE", "Jean Jaurès"), ("PL", "de l'Église"), ("RTE", "de Nantes"),
    ("ALL", "des Tilleuls"), ("RUE", "du Moulin"), ("CHE", "des Vignes"), ("IMP", "des Roses"),
    ("RUE", "Saint-Martin"), ("AV", "de la Libération"), ("RUE", "des Écoles"), ("BD", "de la Mer"),
    ("RUE", "Nationale"), ("RUE", "de la République"), ("RUE", "du Château"), ("RUE", "de l'Abbaye"),
    ("AV", "Jean Moulin"), ("AV", "Pierre Mendès France"), ("RUE", "Georges Clemenceau"), ("RUE", "Gambetta"),
    ("RUE", "du Stade"), ("RUE", "des Acacias"), ("RUE", "de la Fontaine"), ("RUE", "du Calvaire"),
    ("RUE", "Saint-Nicolas"), ("RUE", "du Général Leclerc"), ("RUE", "Alsace-Lorraine"), ("RUE", "de Bretagne"),
    ("RUE", "du Maréchal Foch"), ("RUE", "de la Paix"), ("RUE", "des Mimosas"), ("RUE", "du Prieuré"),
    ("AV", "de la Gare"), ("AV", "des Sports"), ("AV", "du 8 Mai 1945"), ("AV", "de Verdun"),
    ("BD", "Jules Verne"), ("BD", "de l'Europe"), ("BD", "Pierre de Coubertin"), ("PL", "du Marché"),
    ("PL", "de la Mairie"), ("PL", "du Champ de Foire"), ("RTE", "d'Angers"), ("RTE", "de la Roche"),
    ("RTE", "du Mans"), ("RTE", "de Laval"), ("CHE", "du Bois Joli"), ("CHE", "de la Prairie"),
    ("ALL", "des Charmilles"), ("ALL", "du Parc"), ("IMP", "du Verger"), ("QU", "de la Fosse"),
    ("QU", "des Mariniers"), ("SQ", "des Marronniers"), ("CRS", "des Alliés"), ("MAIL", "des Tisserands"),
    ("RUE", "Anne de Bretagne"), ("RUE", "Ambroise Paré"), ("RUE", "du Docteur Roux"), ("RUE", "Marie Curie"),
    ("RUE", "Louis Pasteur"), ("RUE", "Paul Bert"), ("RUE", "Émile Zola"), ("RUE", "Voltaire"),
    ("RUE", "de la Croix Blanche"), ("RUE", "des Hortensias"), ("RUE", "de Saint-Nazaire"),
    ("RUE", "de la Chesnaie"), ("RUE", "du Port"), ("RUE", "de l'Hôpital"), ("RUE", "des Fontaines"),
]
