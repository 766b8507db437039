import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_accueil_dans_chromium(live_server, page, region):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().startswith("ROR")
    assert page.locator("#chiffre-eg").inner_text() == "2"
    # DSFR styles are served locally (no CDN): the header has its layout.
    assert page.evaluate("getComputedStyle(document.querySelector('.fr-header')).display") != "inline"
