"""Docker health check of the web container: /sante/ answers 200 (database and Redis reachable).

Asked over plain HTTP inside the container, with a host name the portal serves."""

import os
import sys
import urllib.request

hote = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip()
requete = urllib.request.Request("http://127.0.0.1:8000/sante/", headers={"Host": hote})
try:
    with urllib.request.urlopen(requete, timeout=8) as reponse:
        sys.exit(0 if reponse.status == 200 else 1)
except Exception as erreur:
    print(erreur)
    sys.exit(1)
