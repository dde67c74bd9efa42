// Checks that run inside the page (page.evaluate). They are kept as plain JavaScript source: the test
// transform may wrap compiled functions in helpers that do not exist in the browser.

/**
 * Every interactive element without an accessible name, computed the way a screen reader does
 * (aria-labelledby, aria-label, <label>, then the content of buttons, links and summaries). Empty
 * means every control can be found by role and name.
 */
export const CONTROLS_WITHOUT_NAME = `(() => {
  const text = (el) => (el ? el.textContent || '' : '').replace(/\\s+/g, ' ').trim();
  const nameOf = (el) => {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) return labelledBy.split(/\\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
    const label = (el.getAttribute('aria-label') || '').trim();
    if (label) return label;
    if (el.labels && el.labels.length) return Array.from(el.labels).map(text).join(' ').trim();
    if (el instanceof HTMLInputElement) return el.type === 'submit' || el.type === 'button' ? el.value : '';
    if (el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) return '';
    return text(el) || (el.getAttribute('title') || '').trim();
  };
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="switch"], [tabindex]:not([tabindex="-1"])',
  );
  return Array.from(controls).filter((el) => !nameOf(el)).map((el) => el.outerHTML.slice(0, 160));
})()`;

/** How far the document scrolls sideways (0: it does not). */
export const SIDEWAYS_SCROLL = `(() => {
  const root = document.documentElement;
  return root.scrollWidth - root.clientWidth;
})()`;

/** The element that has the keyboard focus, by its accessible name (as CONTROLS_WITHOUT_NAME computes it). */
export const FOCUSED_NAME = `(() => {
  const el = document.activeElement;
  if (!el) return '';
  const labelled = el.labels && el.labels.length ? Array.from(el.labels).map((l) => l.textContent).join(' ') : '';
  return (el.getAttribute('aria-label') || labelled || el.textContent || '').replace(/\\s+/g, ' ').trim();
})()`;
