import { session } from "@web/session";

/**
 * Steps shared by the module's tours.
 *
 * The tests set the cookie ``aro_screenshots=1`` when the documentation's
 * screenshots are wanted (ARO_SCREENSHOTS): a screenshot step then asks the
 * test for a capture of the page and waits until it is taken. Without the
 * cookie the step does nothing.
 */

// 19.0 wants the steps that load another page marked expectUnloadPage; 18.0 does not
// know the key (its step schema logs an error).
export const unloads = (session.server_version_info?.[0] ?? 0) >= 19 ? { expectUnloadPage: true } : {};

/**
 * How long a step waits for the page after loading it or after a call to the server: the
 * tours run on busy test machines, where a web client takes more than the 10 seconds of
 * the default to start.
 */
export const SLOW = { timeout: 30000 };

const PREFIX = "aro-screenshot: ";
const RESIZE_PREFIX = "aro-resize: ";

function screenshotsWanted() {
    return document.cookie.split(";").some((cookie) => cookie.trim() === "aro_screenshots=1");
}

/**
 * How much of the web client's content its scrolled or clipped areas (the view's content) hide below.
 */
function hiddenHeight() {
    let hidden = 0;
    for (const element of document.querySelectorAll(".o_action_manager, .o_action_manager *")) {
        // the scrolled areas, and those that clip what overflows them
        if (getComputedStyle(element).overflowY !== "visible") {
            hidden = Math.max(hidden, element.scrollHeight - element.clientHeight);
        }
    }
    return hidden;
}

/** Ask the test for a window of ``size`` (``<width>x<height>``) and wait until the page has it. */
async function resizeWindow(size) {
    console.log(RESIZE_PREFIX + size);
    const deadline = Date.now() + 20000;
    while (document.body.dataset.aroResized !== size) {
        if (Date.now() > deadline) {
            throw new Error(`The window was not resized to ${size}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

/**
 * A step that captures the page for the documentation as ``<name>.png``, once
 * ``trigger`` is shown.
 *
 * @param {string} name file name, without extension
 * @param {string} trigger what must be on screen first
 * @param {Object} [options]
 * @param {boolean} [options.scroll] scroll the trigger to the top of the window first
 * @param {boolean} [options.fullPage] the whole view, not only the window: the test makes the
 *     window as tall as the view's content for the capture (a dashboard longer than the window),
 *     then puts it back; the empty background below the content is cut off
 */
export function screenshot(name, trigger = "body", { scroll = false, fullPage = false } = {}) {
    return {
        content: `Screenshot ${name}`,
        trigger,
        async run() {
            if (!screenshotsWanted()) {
                return;
            }
            if (scroll) {
                this.anchor.scrollIntoView({ block: "start" });
            }
            // wait for the web client's pending calls ("Loading"), then for the last render
            const loaded = Date.now() + 10000;
            while (document.querySelector(".o_loading_indicator") && Date.now() < loaded) {
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
            let restore = "";
            if (fullPage) {
                // a window as tall as the content; the content may grow with the window: measure again
                restore = ` ${window.innerWidth}x${window.innerHeight}`;
                for (let tries = 0; tries < 5 && hiddenHeight() > 0; tries++) {
                    await resizeWindow(`${window.innerWidth}x${window.innerHeight + hiddenHeight()}`);
                }
            }
            // the test puts the window of the tour back after the capture
            console.log(PREFIX + name + restore);
            // the test sets data-aro-shot once the capture is saved
            const deadline = Date.now() + 20000;
            while (document.body.dataset.aroShot !== name) {
                if (Date.now() > deadline) {
                    throw new Error(`The screenshot ${name} was not taken`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
        },
    };
}

/**
 * The steps that open ``item`` in the ``section`` menu of the app's top bar; when the item
 * opens a view (not a dialog), until the breadcrumb shows it, so that the next steps do not
 * find the elements of the view it replaces.
 */
export function menu(section, item, { dialog = false } = {}) {
    const shown = dialog
        ? []
        : [
              {
                  content: `${item} is shown`,
                  trigger: `.o_breadcrumb .o_last_breadcrumb_item:contains('${item}')`,
                  ...SLOW,
              },
          ];
    return [
        {
            content: `Open the ${section} menu`,
            trigger: `.o_main_navbar .o_menu_sections button:contains('${section}')`,
            run: "click",
            ...SLOW,
        },
        {
            content: `Choose ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item:contains('${item}')`,
            run: "click",
        },
        ...shown,
    ];
}

/**
 * The steps that open the Invoicing (Accounting) app from the apps menu, where the tours start.
 */
export const openInvoicing = [
    {
        content: "Open the apps menu",
        trigger: ".o_navbar_apps_menu button",
        run: "click",
        ...SLOW,
    },
    {
        content: "Open the Invoicing app",
        trigger: ".o-dropdown--menu .o_app[data-menu-xmlid='account.menu_finance']",
        run: "click",
    },
];
