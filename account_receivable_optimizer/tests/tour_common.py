"""What the browser tours share: a window of the documentation's width, and its screenshots.

Set ``ARO_SCREENSHOTS`` to a folder to have the tours save the screenshots of
the guides there: a tour step (``screenshot()`` in static/tests/tours/ar_tour_utils.js)
logs ``aro-screenshot: <name>`` in the browser's console; the test captures the page
through the browser's DevTools connection, saves ``<name>.png`` and tells the page,
which then goes on. A full-page step first asks for a window as tall as the view's content
(``aro-resize: <width>x<height>``, answered in ``data-aro-resized``), then for the capture
with the size of the tour's window to put back (``aro-screenshot: <name> <width>x<height>``).
Without the variable the steps do nothing.

Odoo 18.0 and 19.0 both hand the browser of a tour to ``HttpCase.authenticate``
and dispatch its console events through ``ChromeBrowser._handlers``: the hook
uses only these.
"""

import base64
import io
import json
import logging
import os
import re

from PIL import Image, ImageChops

from odoo.tests import HttpCase

_logger = logging.getLogger(__name__)

#: The environment variable naming the folder the screenshots are saved in.
SCREENSHOTS_ENV = "ARO_SCREENSHOTS"
#: The cookie that tells the tours to take screenshots.
SCREENSHOTS_COOKIE = "aro_screenshots"
PREFIX = "aro-screenshot: "
#: A tour step asking for a window of another size (a full-page screenshot).
RESIZE_PREFIX = "aro-resize: "
#: Where the back-office tours start: the list of customer invoices, in the Invoicing app.
INVOICES = "/odoo/action-account.action_move_out_invoice_type"


def _compress(png, trim=False):
    """The PNG in 256 colours: screens of text and flat colours stay sharp at a fraction of the size.

    ``trim``: without the empty background below the content (a full-page capture), but a margin.
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if trim:
        background = Image.new("RGB", image.size, image.getpixel((image.width - 1, image.height - 1)))
        box = ImageChops.difference(image, background).getbbox()
        if box:
            image = image.crop((0, 0, image.width, min(image.height, box[3] + 16)))
    image = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def watch_screenshots(browser, folder):
    """Save a screenshot of the page each time a tour step asks for one."""
    handle_console = browser._handlers["Runtime.consoleAPICalled"]

    def on_console(**event):
        handle_console(**event)
        args = event.get("args") or [{}]
        text = args[0].get("value")
        if not isinstance(text, str):
            return
        if text.startswith(RESIZE_PREFIX):
            size = text[len(RESIZE_PREFIX) :].strip()
            resize = resize_window(size)
            if resize:
                resize.add_done_callback(lambda _future: tell_page("aroResized", size))
            return
        if not text.startswith(PREFIX):
            return
        name, _sep, restore = text[len(PREFIX) :].partition(" ")
        name = re.sub(r"[^a-z0-9-]", "", name.lower())
        capture = browser._websocket_send("Page.captureScreenshot", params={"format": "png"}, with_future=True)
        capture.add_done_callback(lambda future: saved(future, name, restore.strip()))

    def resize_window(size):
        """Emulate a window of ``size`` (``<width>x<height>``), as the test's browser does for its own."""
        match = re.fullmatch(r"(\d+)x(\d+)", size)
        if not match:
            _logger.warning("Window size %r not understood", size)
            return None
        width, height = (int(value) for value in match.groups())
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        return browser._websocket_send("Emulation.setDeviceMetricsOverride", params=metrics, with_future=True)

    def tell_page(key, value):
        browser._websocket_send(
            "Runtime.evaluate", params={"expression": f"document.body.dataset.{key} = {json.dumps(value)}"}
        )

    def saved(future, name, restore):
        if restore:  # a full-page capture: the window of the tour again
            resize_window(restore)
        try:
            png = _compress(base64.b64decode(future.result()["data"]), trim=bool(restore))
            with open(os.path.join(folder, f"{name}.png"), "wb") as file:
                file.write(png)
            _logger.info("Screenshot %s saved (%s bytes)", name, len(png))
        except Exception:  # the tour then fails on its screenshot step, which names it
            _logger.warning("Screenshot %s not saved", name, exc_info=True)
            return
        tell_page("aroShot", name)

    browser._handlers["Runtime.consoleAPICalled"] = on_console


class ArTourCase(HttpCase):
    """An HttpCase whose tours run in a 1280 pixels wide window and take the guides' screenshots."""

    browser_size = "1280x800"

    def setUp(self):
        super().setUp()
        # the name the guides' screenshots show
        self.env.company.name = "Acme Supplies"

    def ar_start_tour(self, url, tour, login, **kwargs):
        # the whole tour, not a step: test machines running several suites at once are slow
        kwargs.setdefault("timeout", 300)
        self._ar_build_assets(url, login)
        if os.environ.get(SCREENSHOTS_ENV):
            kwargs["cookies"] = dict(kwargs.get("cookies") or {}, **{SCREENSHOTS_COOKIE: "1"})
        self.start_tour(url, tour, login=login, **kwargs)

    def authenticate(self, user, password, browser=None):
        result = super().authenticate(user, password, browser=browser)
        folder = os.environ.get(SCREENSHOTS_ENV)
        if browser is not None and folder:
            os.makedirs(folder, exist_ok=True)
            watch_screenshots(browser, folder)
        return result

    def _ar_build_assets(self, url, login):
        """Build the page's asset bundles before the browser asks for them.

        A test's transaction is rolled back after it, bundles built included, so the
        first tour of each test builds them again; on a busy machine that takes longer
        than the minute the browser waits for the page to be ready.
        """
        self.authenticate(login, login)
        page = self.url_open(url, timeout=300)
        for bundle in dict.fromkeys(re.findall(r'(?:src|href)="(/web/assets/[^"]+)"', page.text)):
            self.url_open(bundle, timeout=300)
