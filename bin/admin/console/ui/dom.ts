/// <reference lib="dom" />
// A few DOM helpers instead of a framework: build elements, show modal dialogs, copy to the
// clipboard, announce status. Every screen is plain DOM built with `h`.

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (event: Event) => void;
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

/** `h('button', { type: 'button', onclick: fn }, 'Save')`. `false`/`null`/`undefined` props are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value' && 'value' in el) (el as HTMLInputElement).value = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;
/** A fresh id, to tie a label or description to its control. */
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/** A labelled form control: the label's `for` points at the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
  );
}

/** A live region: screen readers announce what is written into it. */
export function statusLine(): HTMLElement & { say: (text: string, kind?: 'ok' | 'error') => void } {
  const el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  return Object.assign(el, {
    say: (text: string, kind: 'ok' | 'error' = 'ok') => {
      el.textContent = text;
      el.dataset.kind = kind;
    },
  });
}

export function errorBox(text: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, text);
}

/** Copies `text`; falls back to selecting it for Ctrl-C when the clipboard API is unavailable. */
export async function copy(text: string, fallback?: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    fallback?.focus();
    fallback?.select();
    return false;
  }
}

/** A read-only text with a Copy button and a status that says what happened. */
export function copyable(label: string, value: string, options: { secret?: boolean } = {}): HTMLElement {
  const input = h('input', {
    type: 'text',
    readonly: true,
    value,
    class: options.secret ? 'mono secret' : 'mono',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const status = statusLine();
  const button = h(
    'button',
    {
      type: 'button',
      'aria-label': `Copy ${label}`,
      onclick: async () => {
        const done = await copy(input.value, input);
        status.say(done ? 'Copied.' : 'Selected: press Ctrl-C (⌘-C) to copy.');
      },
    },
    'Copy',
  );
  return h('div', { class: 'copyable' }, field(label, input), h('div', { class: 'copy-row' }, button, status));
}

/**
 * A modal dialog (native <dialog>: focus stays inside, Esc closes). Resolves with the value given
 * to `close`, or undefined when dismissed. The dialog is removed from the page when it closes.
 */
export function modal<T>(
  title: string,
  build: (close: (value?: T) => void) => Child[],
  options: { role?: 'dialog' | 'alertdialog' } = {},
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title');
    const dialog = h('dialog', { 'aria-labelledby': titleId, ...(options.role ? { role: options.role } : {}) });
    let result: T | undefined;
    const close = (value?: T) => {
      result = value;
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    append(dialog, [h('h2', { id: titleId }, title), ...build(close)]);
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

/** Asks before a destructive action; resolves true only on the confirming button. */
export async function confirmAction(options: {
  title: string;
  message: Child;
  confirm: string;
  cancel?: string;
}): Promise<boolean> {
  const answer = await modal<boolean>(
    options.title,
    (close) => [
      h('div', { class: 'dialog-body' }, options.message),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'danger', onclick: () => close(true) }, options.confirm),
        h('button', { type: 'button', autofocus: true, onclick: () => close(false) }, options.cancel ?? 'Cancel'),
      ),
    ],
    { role: 'alertdialog' },
  );
  return answer === true;
}

/** yyyy-MM-dd (UTC), as the IdPs and the CLI show dates. */
export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');
/** yyyy-MM-dd HH:mm UTC */
export const minute = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '');

/** A table that becomes one card per row on narrow screens (each cell labelled by its column). */
export function table(caption: string, columns: string[], rows: Child[][], options: { captionHidden?: boolean } = {}) {
  return h(
    'table',
    { class: 'cards' },
    h('caption', options.captionHidden ? { class: 'visually-hidden' } : {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell, i) => h('td', { 'data-label': columns[i] ?? '' }, cell)),
        ),
      ),
    ),
  );
}
