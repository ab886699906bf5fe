type Child = Node | string | undefined | false;

/**
 * Creates an element. Text always goes in as text nodes, never as markup: transcript text comes
 * from callers and must not be able to inject HTML.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) {
    if (child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** Replaces everything inside `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...children.filter((child): child is Node | string => child !== undefined && child !== false));
}

/** A section labelled for screen readers by its own heading (`titleId`), as the console's panels are. */
export const titledSection = (className: string, titleId: string, title: string, ...children: Child[]): HTMLElement =>
  h('section', { class: className, 'aria-labelledby': titleId }, h('h2', { id: titleId }, title), ...children);
