// Builds elements without parsing HTML: text always goes in as text nodes, never as markup.

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [attributes] false, null and undefined leave one out; true sets it empty
 * @param {...(Node | string | number | null | undefined | false)} children null, undefined and false are left out
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child != null && child !== false) element.append(typeof child === "number" ? String(child) : child);
  }
  return element;
}
