// A table whose column headers sort it: a click sorts by that column, a second click reverses.
// The header says how it is sorted (aria-sort), so screen readers announce it too.

import { h } from "../../dom.js";
import { language, t } from "../../i18n.js";

/**
 * @typedef {{
 *   key: string,
 *   label: string,
 *   sortValue: (row: any) => string | number,
 *   cell: (row: any) => Node | string,
 *   header?: boolean,
 * }} Column
 */

/** @param {string | number} a @param {string | number} b */
function compare(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), language());
}

/**
 * @param {{ columns: Column[], rows: any[], rowAttributes: (row: any) => Record<string, unknown>, testId: string }} options
 */
export function sortableTable({ columns, rows, rowAttributes, testId }) {
  const table = h("table", { class: "class-table attendance-table", "data-testid": testId });
  let sortKey = columns[0].key;
  let ascending = true;

  function headerCell(column) {
    const active = column.key === sortKey;
    const sort = h(
      "button",
      {
        type: "button",
        class: "sort-button",
        "data-testid": `sort-${column.key}`,
        title: t("attendance.sortBy", { column: column.label }),
      },
      column.label,
      active ? h("span", { "aria-hidden": "true" }, ascending ? " ▲" : " ▼") : "",
    );
    sort.addEventListener("click", () => {
      ascending = active ? !ascending : true;
      sortKey = column.key;
      draw();
    });
    const state = active ? (ascending ? "ascending" : "descending") : "none";
    return h("th", { scope: "col", "aria-sort": state, "data-column": column.key }, sort);
  }

  function bodyRow(row) {
    return h(
      "tr",
      rowAttributes(row),
      ...columns.map((column) =>
        column.header
          ? h("th", { scope: "row", "data-column": column.key }, column.cell(row))
          : h("td", { "data-column": column.key }, column.cell(row)),
      ),
    );
  }

  function draw() {
    const column = columns.find((c) => c.key === sortKey) ?? columns[0];
    const sorted = [...rows].sort((a, b) => {
      const order = compare(column.sortValue(a), column.sortValue(b));
      return ascending ? order : -order;
    });
    table.replaceChildren(
      h("thead", {}, h("tr", {}, ...columns.map(headerCell))),
      h("tbody", {}, ...sorted.map(bodyRow)),
    );
  }

  draw();
  return h("div", { class: "table-scroll" }, table);
}
