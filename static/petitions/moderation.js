// The moderation queue's "select all on this page" also ticks (or unticks)
// each row, so the page shows what will be sent; unticking one row unticks
// "select all". Without this script the page works the same: "select all"
// alone already chooses every endorsement awaiting moderation on the page.
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("bulk-all");
  if (!all) return;
  const rows = Array.from(document.querySelectorAll('input[type="checkbox"][form="bulk-moderation"]'));
  all.addEventListener("change", () => {
    for (const row of rows) row.checked = all.checked;
  });
  for (const row of rows) {
    row.addEventListener("change", () => {
      if (!row.checked) all.checked = false;
    });
  }
});
